import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieSealer } from './sealed-cookie.ts';

/** How long a started sign-in may take, from the first redirect to the callback. */
export const LOGIN_TRANSACTION_TTL_SECONDS = 600;

/**
 * One sign-in in progress, kept by the browser in the sealed login cookie (no server state): what
 * the callback must find again to accept the authorization response.
 */
export interface LoginTransaction {
  /** CSRF protection of the callback (RFC 6749 §10.12): echoed by the issuer, compared here. */
  readonly state: string;
  /** Binds the ID token to this sign-in (OpenID Connect Core §3.1.2.1). */
  readonly nonce: string;
  /** The PKCE code_verifier (RFC 7636); only its S256 challenge leaves the gateway. */
  readonly codeVerifier: string;
  /** The redirect_uri sent: the token request must repeat it exactly. */
  readonly redirectUri: string;
  /** Where the browser goes once signed in (a safe local path). */
  readonly returnTo: string;
  /** The `resource` asked for: the host's login audience. */
  readonly audience: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/** 256 random bits each, base64url (43 characters: a valid RFC 7636 code_verifier too). */
function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function startLoginTransaction(start: { readonly redirectUri: string; readonly returnTo: string; readonly audience: string; readonly now: number }): LoginTransaction {
  return {
    state: randomToken(),
    nonce: randomToken(),
    codeVerifier: randomToken(),
    redirectUri: start.redirectUri,
    returnTo: start.returnTo,
    audience: start.audience,
    expiresAt: start.now + LOGIN_TRANSACTION_TTL_SECONDS * 1000,
  };
}

/** RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))). */
export function pkceChallenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}

export function sealLoginTransaction(sealer: CookieSealer, transaction: LoginTransaction): string {
  return sealer.seal({
    st: transaction.state,
    no: transaction.nonce,
    cv: transaction.codeVerifier,
    ru: transaction.redirectUri,
    rt: transaction.returnTo,
    au: transaction.audience,
    exp: transaction.expiresAt,
  });
}

export type OpenedLoginTransaction =
  | { readonly ok: true; readonly transaction: LoginTransaction }
  | { readonly ok: false; readonly reason: 'callback_transaction_invalid' | 'callback_transaction_expired' };

/** The transaction in a login cookie, if it opens, has the expected shape and has not expired. */
export function openLoginTransaction(sealer: CookieSealer, value: string, now: number): OpenedLoginTransaction {
  const payload = sealer.open(value);
  if (payload === undefined) return { ok: false, reason: 'callback_transaction_invalid' };
  const { st, no, cv, ru, rt, au, exp } = payload;
  if (!isText(st) || !isText(no) || !isText(cv) || !isText(ru) || !isText(rt) || !isText(au) || typeof exp !== 'number') {
    return { ok: false, reason: 'callback_transaction_invalid' };
  }
  if (now >= exp) return { ok: false, reason: 'callback_transaction_expired' };
  return { ok: true, transaction: { state: st, nonce: no, codeVerifier: cv, redirectUri: ru, returnTo: rt, audience: au, expiresAt: exp } };
}

/** Constant-time comparison of two secrets (state, nonce); different lengths are simply unequal. */
export function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
