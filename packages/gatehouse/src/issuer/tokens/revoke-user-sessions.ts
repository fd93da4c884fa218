import type { IssuerServices } from '../issuer-services.ts';

/**
 * Signs a user out everywhere: every refresh family of theirs not yet revoked is revoked in the
 * store, and a subject revocation refuses every access token issued to them until now — with or
 * without a `sid`, at this process's verifiers at once and at other processes' on their next
 * catch-up — and ends their issuer sessions (session/issuer-session.ts). Tokens issued after it
 * (a new sign-in) are unaffected. Resolves the ids of the families it revoked.
 */
export async function revokeUserSessions(services: Pick<IssuerServices, 'store' | 'revoker' | 'clock'>, userId: string, reason: string): Promise<string[]> {
  const families = await services.store.refreshTokens.revokeFamiliesOfUser(userId, services.clock(), reason);
  await services.revoker.revoke({ kind: 'subject', value: userId, reason });
  return families;
}
