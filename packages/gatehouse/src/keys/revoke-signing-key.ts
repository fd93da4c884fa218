import type { Revoker } from '../revocation/revoker.ts';
import type { KeyRecord } from './key-record.ts';
import type { KeyManager } from './key-manager.ts';

/** What revoking a key needs; an IssuerServices has both. */
export interface SigningKeyRevocationServices {
  readonly keys: KeyManager;
  readonly revoker: Revoker;
}

/**
 * Emergency revoke of a signing key (`gatehouse keys revoke`, the admin API), in two halves:
 * - the key manager takes the key out of the JWKS and this process's key set at once (a revoked
 *   signing key is replaced at once), persists the state and raises key.revoked — the one
 *   security event, so none is recorded here;
 * - the key revocation list gets its kid, in the store and in this process's lists, for the
 *   verifiers that still hold the key in a cached JWKS (and for other replicas on catch-up).
 *   The entry never expires: whoever holds a leaked key can mint tokens with any `exp`.
 * Throws key_not_found for an unknown kid, before anything is recorded.
 */
export async function revokeSigningKey(services: SigningKeyRevocationServices, kid: string, reason: string): Promise<KeyRecord> {
  const revoked = await services.keys.revoke(kid);
  await services.revoker.revoke({ kind: 'key', value: kid, expiresAt: null, reason });
  return revoked;
}
