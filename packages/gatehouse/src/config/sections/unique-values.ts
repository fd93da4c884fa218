import { childAt, reject, type ValueAt } from '../readers.ts';

/**
 * Reports items of a list that repeat the string at `key` (client ids, route ids, trusted issuers).
 * It reads the raw values, so a repeat is found even when the rest of either item is invalid.
 * Returns whether all were unique.
 */
export function reportRepeats(list: ValueAt | undefined, key: string, what: string, normalize: (text: string) => string = (text) => text): boolean {
  if (list === undefined || list.node.kind !== 'list') return true;
  const first = new Map<string, ValueAt>();
  let unique = true;
  list.node.items.forEach((_, index) => {
    const at = childAt(childAt(list, index)!, key);
    const node = at?.node;
    if (at === undefined || node?.kind !== 'scalar' || typeof node.value !== 'string' || node.unresolved) return;
    const seen = first.get(normalize(node.value));
    if (seen === undefined) {
      first.set(normalize(node.value), at);
      return;
    }
    unique = false;
    reject(at, `a unique ${what}`, { kind: 'duplicate', found: `${JSON.stringify(node.value)} again (first at ${seen.path}, line ${seen.node.position.line})` });
  });
  return unique;
}
