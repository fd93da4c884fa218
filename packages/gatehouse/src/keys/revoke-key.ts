import { ServerError } from '../errors.ts';
import { advanceKeys, changedSince } from './advance-keys.ts';
import type { KeyRecord, KeyTransition } from './key-record.ts';
import { DEFAULT_KEY_POLICY, type KeyPolicy } from './key-policy.ts';

/**
 * Emergency revoke: the key leaves JWKS at once, whatever its state, and its kid goes on the key
 * revocation list (revokedKeyIds). Revoking the signing key promotes a pending key at once, or asks
 * for a replacement (`generate: 'replacement'`). Revoking a revoked key changes nothing.
 * Throws key_not_found for an unknown kid.
 */
export function revokeKey(records: readonly KeyRecord[], kid: string, now: number, policy: KeyPolicy = DEFAULT_KEY_POLICY): KeyTransition & { readonly revoked: KeyRecord } {
  const target = records.find((record) => record.kid === kid);
  if (target === undefined) throw new ServerError('key_not_found', `no key with kid ${JSON.stringify(kid)}`);
  const alreadyRevoked = target.state === 'revoked';
  const marked = alreadyRevoked ? records : records.map((record) => (record === target ? { ...record, state: 'revoked' as const, revokedAt: now } : record));
  const step = advanceKeys(marked, now, policy);
  return {
    records: step.records,
    changed: changedSince(records, step.records),
    events: alreadyRevoked ? step.events : [{ type: 'key.revoked', kid, alg: target.alg, at: now }, ...step.events],
    generate: step.generate,
    revoked: step.records.find((record) => record.kid === kid)!,
  };
}
