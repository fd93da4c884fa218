import type { KeyEvent, KeyEventType, KeyRecord, KeyTransition } from './key-record.ts';
import { DEFAULT_KEY_POLICY, type KeyPolicy } from './key-policy.ts';

/**
 * The key lifecycle as a pure function of the records and the clock (`now`, ms since the epoch).
 * In order:
 *  1. a retiring key whose retireAfter has come is retired (leaves JWKS);
 *  2. a pending key whose activatesAt has come is activated, and the key that signed before it
 *     starts retiring: it stops signing now, and stays published for the longest token lifetime
 *     plus leeway, so every token it signed expires while its key is still published. With no
 *     active key at all, the oldest pending key activates at once — signing with a key published
 *     a little early beats not signing;
 *  3. a new key is requested when there is neither an active nor a pending key, or when the active
 *     key is due to rotate: its successor is asked for `publishLead` before the active key has
 *     signed for `rotateEvery`, so that it is published for that long before it signs.
 * Records that do not change keep their identity. Revoked and retired records never change here.
 */
export function advanceKeys(records: readonly KeyRecord[], now: number, policy: KeyPolicy = DEFAULT_KEY_POLICY): KeyTransition {
  const current = new Map(records.map((record) => [record.kid, record]));
  const events: KeyEvent[] = [];
  const set = (record: KeyRecord, type: KeyEventType): void => {
    current.set(record.kid, record);
    events.push({ type, kid: record.kid, alg: record.alg, at: now });
  };
  const inState = (state: KeyRecord['state']): KeyRecord[] => [...current.values()].filter((record) => record.state === state);

  for (const record of inState('retiring')) {
    // A retiring record without retireAfter stays published: the safe side of a damaged record.
    if (record.retireAfter !== undefined && record.retireAfter <= now) set({ ...record, state: 'retired' }, 'key.retired');
  }

  const retention = (policy.maxTokenTtlSeconds + policy.leewaySeconds) * 1000;
  for (const next of inState('pending').sort(byActivation)) {
    const signing = inState('active');
    if (next.activatesAt > now && signing.length > 0) break;
    set({ ...next, state: 'active', activatesAt: now }, 'key.activated');
    for (const previous of signing) set({ ...previous, state: 'retiring', retiringAt: now, retireAfter: now + retention }, 'key.retiring');
  }

  const after = records.map((record) => current.get(record.kid)!);
  const active = inState('active');
  let generate: KeyTransition['generate'];
  if (inState('pending').length === 0) {
    if (active.length === 0) generate = records.length === 0 ? 'initial' : 'replacement';
    else if (active.some((record) => now >= rotationDueAt(record, policy))) generate = 'scheduled';
  }
  return { records: after, changed: changedSince(records, after), events, generate };
}

/** When the successor of an active key should be generated (and published). */
export function rotationDueAt(active: KeyRecord, policy: KeyPolicy): number {
  return active.activatesAt + (policy.rotateEverySeconds - policy.publishLeadSeconds) * 1000;
}

/**
 * The state of every key at `now`, as advanceKeys would leave it, for read-only views (signing
 * key, JWKS) over records that may not have been advanced yet. The policy does not matter for
 * them: it only sets how long a newly retiring key stays published, always past `now`.
 */
export function keyStatesAt(records: readonly KeyRecord[], now: number): readonly KeyRecord[] {
  return advanceKeys(records, now, DEFAULT_KEY_POLICY).records;
}

/** Records of `after` (same order as `before`, new ones appended) that replaced their version in `before`. */
export function changedSince(before: readonly KeyRecord[], after: readonly KeyRecord[]): KeyRecord[] {
  return before.flatMap((record, i) => (after[i] !== record ? [after[i]!] : []));
}

function byActivation(a: KeyRecord, b: KeyRecord): number {
  return a.activatesAt - b.activatesAt || a.createdAt - b.createdAt || (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0);
}
