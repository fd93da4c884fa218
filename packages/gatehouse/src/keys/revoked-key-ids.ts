import type { KeyRecord } from './key-record.ts';

/** The key revocation list: kids of revoked keys, for verifiers that may still hold them in a cached JWKS. */
export function revokedKeyIds(records: readonly KeyRecord[]): string[] {
  return records.filter((record) => record.state === 'revoked').map((record) => record.kid);
}
