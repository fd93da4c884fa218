import type { ConfigNode } from './config-tree.ts';

const MAX_SHOWN = 80;

/**
 * How a value appears after "found" in a message. A string that came from `${VAR}` is shown as
 * written in the file with its length, never with the environment's value, which may be a secret.
 */
export function describeFound(node: ConfigNode): string {
  switch (node.kind) {
    case 'mapping':
      return 'a mapping';
    case 'list':
      return 'a list';
    case 'scalar':
      if (typeof node.value === 'string') {
        if (node.substituted) return `${quote(node.source)} (${node.value.length} characters after interpolation; value not shown)`;
        return quote(node.value);
      }
      if (node.value === null) return node.source === '' ? 'an empty value' : 'null';
      return node.source;
  }
}

/** For secrets: the kind of value and its length, nothing of its content. */
export function describeSecretFound(node: ConfigNode): string {
  if (node.kind !== 'scalar') return describeFound(node);
  if (typeof node.value === 'string') return `a string of ${node.value.length} characters`;
  if (node.value === null) return 'an empty value';
  return `a ${typeof node.value}`;
}

function quote(text: string): string {
  return JSON.stringify(text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text);
}
