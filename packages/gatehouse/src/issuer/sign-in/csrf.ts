import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IssuerServices } from '../issuer-services.ts';
import { readCookie, setCookie } from '../session/cookies.ts';

/**
 * CSRF protection for the issuer's forms (sign-in, sign-out confirmation): a signed double-submit.
 * A pre-authentication cookie holds 256 random bits; each form carries
 * HMAC(cookieKey, purpose, cookie, context) in a hidden field. A cross-site page can neither read
 * the cookie (HttpOnly) nor make the browser send it with a POST (SameSite=Lax), and without the
 * server's key no one can make a token that fits a cookie they planted. The `context` binds the
 * token to what the form is about (the sign-in transaction), so it cannot be lifted to another.
 */
export const CSRF_COOKIE = '__Host-gatehouse-csrf';
export type CsrfPurpose = 'signin' | 'signout';

const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

/** The form token for this browser, setting the pre-auth cookie first if it has none. */
export function issueCsrfToken(services: IssuerServices, request: FastifyRequest, reply: FastifyReply, purpose: CsrfPurpose, context: string): string {
  let cookie = readCookie(request, CSRF_COOKIE);
  if (cookie === undefined || !COOKIE_VALUE.test(cookie)) {
    cookie = randomBytes(32).toString('base64url');
    // No Max-Age: it lives as long as the browser session, which is as long as a form can be open.
    setCookie(reply, CSRF_COOKIE, cookie);
  }
  return csrfToken(services.cookieKey, cookie, purpose, context);
}

/** True when the posted token was made for this browser's cookie, purpose and context. */
export function csrfTokenMatches(services: IssuerServices, request: FastifyRequest, purpose: CsrfPurpose, context: string, token: unknown): boolean {
  const cookie = readCookie(request, CSRF_COOKIE);
  if (cookie === undefined || !COOKIE_VALUE.test(cookie) || typeof token !== 'string') return false;
  const expected = Buffer.from(csrfToken(services.cookieKey, cookie, purpose, context), 'latin1');
  const presented = Buffer.from(token, 'latin1');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

function csrfToken(key: Buffer, cookie: string, purpose: CsrfPurpose, context: string): string {
  // Length-prefixed fields: no two (purpose, cookie, context) triples share an input.
  return createHmac('sha256', key)
    .update(`gatehouse csrf\0${purpose}\0${cookie.length}:${cookie}\0${context.length}:${context}`, 'utf8')
    .digest('base64url');
}
