import { keyStatesAt } from './advance-keys.ts';
import type { JwksDocument, KeyRecord, KeyState } from './key-record.ts';
import { publicSigningJwk } from './public-jwk.ts';

/** Published states, in publishing order: the signing key first, then its successor, then the old ones. */
const PUBLISHED_ORDER: Partial<Record<KeyState, number>> = { active: 0, pending: 1, retiring: 2 };

/**
 * The public JWKS document at `now`: pending, active and retiring keys — never retired or revoked
 * ones, never anything but public members.
 */
export function publishedJwks(records: readonly KeyRecord[], now: number): JwksDocument {
  const published = keyStatesAt(records, now)
    .filter((record) => PUBLISHED_ORDER[record.state] !== undefined)
    .sort((a, b) => PUBLISHED_ORDER[a.state]! - PUBLISHED_ORDER[b.state]! || b.createdAt - a.createdAt);
  return Object.freeze({ keys: Object.freeze(published.map((record) => publicSigningJwk(record.publicJwk, record.kid, record.alg))) });
}
