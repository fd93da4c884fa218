import type { RefreshSession } from '../store/index.ts';
import { jsonInstant } from './format-time.ts';

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

/** A session as JSON (`gatehouse sessions list --json`, the console's sessions API): times as ISO strings, null when unset. */
export function sessionJson(session: RefreshSession, username: string | null, now: number) {
  return {
    id: session.id,
    userId: session.userId,
    username,
    clientId: session.clientId,
    scope: session.scope,
    audience: session.audience,
    state: sessionState(session, now),
    createdAt: jsonInstant(session.createdAt),
    lastUsedAt: jsonInstant(session.lastIssuedAt),
    expiresAt: jsonInstant(sessionExpiresAt(session)),
    revokedAt: jsonInstant(session.revokedAt),
  };
}
