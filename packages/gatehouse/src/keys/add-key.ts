import { advanceKeys, changedSince } from './advance-keys.ts';
import type { KeyRecord, KeyTransition, NewSigningKey } from './key-record.ts';
import { DEFAULT_KEY_POLICY, type KeyPolicy } from './key-policy.ts';

/**
 * Adds a generated key: pending, to activate `publishLead` from now — or at once when no other key
 * is active or pending (first start, or after the last usable key was revoked). Scheduled and
 * on-demand rotation are both this. Throws TypeError if the kid exists (a generator bug).
 */
export function addKey(records: readonly KeyRecord[], key: NewSigningKey, now: number, policy: KeyPolicy = DEFAULT_KEY_POLICY): KeyTransition & { readonly added: KeyRecord } {
  if (records.some((record) => record.kid === key.kid)) throw new TypeError(`a key with kid ${key.kid} exists already`);
  const successorOfAnother = records.some((record) => record.state === 'active' || record.state === 'pending');
  const record: KeyRecord = {
    kid: key.kid,
    alg: key.alg,
    publicJwk: key.publicJwk,
    sealedPrivateKey: key.sealedPrivateKey,
    state: 'pending',
    createdAt: now,
    activatesAt: successorOfAnother ? now + policy.publishLeadSeconds * 1000 : now,
  };
  const step = advanceKeys([...records, record], now, policy);
  return {
    records: step.records,
    changed: changedSince(records, step.records),
    events: [{ type: 'key.created', kid: key.kid, alg: key.alg, at: now }, ...step.events],
    generate: step.generate,
    added: step.records[records.length]!,
  };
}
