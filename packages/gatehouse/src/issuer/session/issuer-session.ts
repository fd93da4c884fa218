import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '../../store/index.ts';
import type { IssuerServices } from '../issuer-services.ts';
import { clearCookie, readCookie, setCookie } from './cookies.ts';
import { openSignedValue, signValue } from './signed-value.ts';

/**
 * The issuer's single sign-on session: who signed in here and when, so that the next authorization
 * request from any client can be answered without the password. Stateless (a MAC'd cookie), so
 * every use re-checks what may have changed since it was issued: the user still exists and is not
 * disabled, the password has not changed since, and neither the session (sign-out) nor the user
 * (password change, disable, "sign out everywhere") is on a revocation list.
 */
export const SESSION_COOKIE = '__Host-gatehouse-session';

export interface IssuerSession {
  /** 128 random bits; revoking it (as a `family` revocation) ends every copy of the cookie. */
  readonly sid: string;
  readonly userId: string;
  /** When the person typed the password (epoch ms): auth_time in ID tokens, max_age checks. */
  readonly authTime: number;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export interface CurrentSession {
  readonly session: IssuerSession;
  readonly user: User;
}

/** As long as a refresh token may sit idle (default 12 h): a session outliving that buys nothing. */
export function sessionLifetimeMs(services: IssuerServices): number {
  return services.config.tokens.refreshIdleSeconds * 1000;
}

export function startSession(services: IssuerServices, reply: FastifyReply, userId: string, authTime: number): IssuerSession {
  const now = services.clock();
  const session: IssuerSession = { sid: randomBytes(16).toString('base64url'), userId, authTime, issuedAt: now, expiresAt: now + sessionLifetimeMs(services) };
  const value = signValue(services.cookieKey, 'issuer-session', { sid: session.sid, sub: userId, auth_time: authTime, iat: now }, session.expiresAt);
  setCookie(reply, SESSION_COOKIE, value, sessionLifetimeMs(services) / 1000);
  return session;
}

/** The request's session if it is still good, else undefined (whatever the reason: none is shown). */
export async function currentSession(services: IssuerServices, request: FastifyRequest): Promise<CurrentSession | undefined> {
  const session = readSessionCookie(services, request);
  if (session === undefined || isSessionRevoked(services, session)) return undefined;
  const user = await services.store.users.findById(session.userId);
  if (user === undefined || user.disabled) return undefined;
  // A password change ends every session from before it, on every replica, without waiting for
  // the revocation lists to catch up.
  if (session.issuedAt < user.passwordChangedAt) return undefined;
  return { session, user };
}

/**
 * Clears the cookie and revokes the session id, so a copy of the cookie taken before the sign-out
 * is refused too. Returns the session that was ended, if there was a valid one.
 */
export async function endSession(services: IssuerServices, request: FastifyRequest, reply: FastifyReply, reason: string): Promise<IssuerSession | undefined> {
  const session = readSessionCookie(services, request);
  clearCookie(reply, SESSION_COOKIE);
  if (session === undefined) return undefined;
  await services.revoker.revoke({ kind: 'family', value: session.sid, expiresAt: session.expiresAt, reason });
  return session;
}

/** The cookie's content if its MAC holds and it has not expired; nothing about the user yet. */
export function readSessionCookie(services: IssuerServices, request: FastifyRequest): IssuerSession | undefined {
  const opened = openSignedValue(services.cookieKey, 'issuer-session', readCookie(request, SESSION_COOKIE), services.clock());
  if (!opened.ok) return undefined;
  const { sid, sub, auth_time: authTime, iat } = opened.payload;
  if (typeof sid !== 'string' || typeof sub !== 'string' || typeof authTime !== 'number' || typeof iat !== 'number') return undefined;
  return { sid, userId: sub, authTime, issuedAt: iat, expiresAt: opened.expiresAt };
}

/**
 * The session is checked against the same in-memory lists as access tokens: its id as a family
 * (sign-out), its user as a subject (everything issued up to the revocation). The lists take
 * token-shaped claims, so the session is presented as one; `jti` and the key can never match.
 */
function isSessionRevoked(services: IssuerServices, session: IssuerSession): boolean {
  const claims = {
    iss: services.config.issuer,
    sub: session.userId,
    aud: [],
    exp: Math.floor(session.expiresAt / 1000),
    iat: Math.floor(session.issuedAt / 1000),
    jti: `issuer-session:${session.sid}`,
    client_id: '',
    sid: session.sid,
  };
  return services.revocations.isRevoked(claims, '', services.config.issuer) !== undefined;
}
