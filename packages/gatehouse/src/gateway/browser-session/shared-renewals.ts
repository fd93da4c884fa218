import { createHash } from 'node:crypto';
import type { GrantOutcome, IssuerGrants } from './issuer-grants.ts';

/** How long a renewal's new tokens are handed to other requests that come with the same refresh cookie. */
export const RENEWAL_SHARE_MS = 10_000;
const MAX_ENTRIES = 10_000;

export type Renew = (refreshToken: string, audience: string, ip: string) => Promise<GrantOutcome>;

/**
 * Silent renewal as browsers do it: when the access cookie expires, every open tab of the app
 * navigates to the refresh endpoint at about the same moment, all with the same refresh cookie.
 * The first rotates it; without this, the others would present a rotated token, which the issuer
 * must treat as reuse — revoking the whole family and signing the person out. So concurrent and
 * closely following renewals with one refresh token share one rotation and its new tokens, for
 * RENEWAL_SHARE_MS after it succeeded (in this process; a refused rotation is not shared). Past
 * that, presenting the old token again is reuse, as always. Keys are SHA-256 of the token.
 */
export function createSharedRenewals(grants: Pick<IssuerGrants, 'refresh'>, clock: () => number): Renew {
  const recent = new Map<string, { readonly outcome: Promise<GrantOutcome>; settledAt: number | null }>();
  return (refreshToken, audience, ip) => {
    const now = clock();
    for (const [key, entry] of recent) {
      if (entry.settledAt === null || now - entry.settledAt < RENEWAL_SHARE_MS) break;
      recent.delete(key); // insertion order: the oldest come first
    }
    const key = createHash('sha256').update(refreshToken).update('\n').update(audience).digest('base64url');
    const shared = recent.get(key);
    if (shared !== undefined && (shared.settledAt === null || now - shared.settledAt < RENEWAL_SHARE_MS)) return shared.outcome;
    if (recent.size >= MAX_ENTRIES) recent.delete(recent.keys().next().value!);
    const entry: { outcome: Promise<GrantOutcome>; settledAt: number | null } = { outcome: grants.refresh({ refreshToken, audience }, ip), settledAt: null };
    recent.set(key, entry);
    entry.outcome.then(
      (outcome) => {
        if (outcome.ok) entry.settledAt = clock();
        else recent.delete(key);
      },
      () => recent.delete(key),
    );
    return entry.outcome;
  };
}
