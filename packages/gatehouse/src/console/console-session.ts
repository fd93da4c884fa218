import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AccessTokenClaims, RevocationCheck } from '@gatehouse/verify';
import type { CookieSealer } from '../gateway/browser-session/sealed-cookie.ts';

/**
 * A signed-in operator, as the sealed session cookie carries it. Nothing of it is a credential
 * anywhere else: the access token it was made from never leaves the server. `sid`, `jti`, `iat`
 * and `kid` are that token's, so the revocation lists end the session exactly when they end the
 * token (the user disabled or signed out everywhere, the session family or the key revoked).
 */
export interface ConsoleSession {
  readonly sub: string;
  readonly username: string;
  readonly roles: readonly string[];
  /** Unix seconds: the access token's `exp`. */
  readonly exp: number;
  /** 128 random bits, base64url: the X-CSRF-Token the API's state-changing requests must carry. */
  readonly csrf: string;
  readonly sid: string | null;
  readonly jti: string;
  readonly iat: number;
  readonly kid: string;
}

/** A fresh CSRF token: 128 random bits. */
export function newCsrfToken(): string {
  return randomBytes(16).toString('base64url');
}

export function sealConsoleSession(sealer: CookieSealer, session: ConsoleSession): string {
  return sealer.seal({ ...session });
}

/** The session in a cookie value, if it opens, has the expected shape and `exp` has not passed. */
export function openConsoleSession(sealer: CookieSealer, value: string, nowMs: number): ConsoleSession | undefined {
  const payload = sealer.open(value);
  if (payload === undefined) return undefined;
  const { sub, username, roles, exp, csrf, sid, jti, iat, kid } = payload;
  if (!isText(sub) || !isText(username) || !isText(csrf) || !isText(jti) || !isText(kid)) return undefined;
  if (typeof exp !== 'number' || typeof iat !== 'number' || !(sid === null || isText(sid))) return undefined;
  if (!Array.isArray(roles) || !roles.every(isText)) return undefined;
  if (nowMs >= exp * 1000) return undefined;
  return { sub, username, roles: roles as string[], exp, csrf, sid, jti, iat, kid };
}

/** The revocation list that ends this session (token, family, subject, key), or undefined. */
export function sessionRevocation(isRevoked: RevocationCheck, issuer: string, session: ConsoleSession): string | undefined {
  const claims = { sub: session.sub, jti: session.jti, iat: session.iat, ...(session.sid === null ? {} : { sid: session.sid }) } as unknown as AccessTokenClaims;
  return isRevoked(claims, session.kid, issuer);
}

/** Constant-time comparison of a presented CSRF token with the session's; different lengths are unequal. */
export function csrfTokenMatches(presented: string | string[] | undefined, session: ConsoleSession): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(session.csrf, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
