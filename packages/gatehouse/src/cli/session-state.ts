import type { RefreshSession } from '../store/index.ts';

export type SessionState = 'active' | 'expired' | 'revoked';

/** What a refresh family is at `now`: revoked, expired (idle or absolute), or active (its refresh token still works). */
export function sessionState(session: RefreshSession, now: number): SessionState {
  if (session.revokedAt !== null) return 'revoked';
  if (session.absoluteExpiresAt <= now || session.idleExpiresAt === null || session.idleExpiresAt <= now) return 'expired';
  return 'active';
}

/** When it stops working if nobody uses it: the earlier of its idle and absolute expiry. */
export function sessionExpiresAt(session: RefreshSession): number {
  return session.idleExpiresAt === null ? session.absoluteExpiresAt : Math.min(session.idleExpiresAt, session.absoluteExpiresAt);
}
