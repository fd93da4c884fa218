import type { TokenResponse } from '../../issuer/grants/grant.ts';
import { randomBytes } from 'node:crypto';
import { boundRefreshValue, setCookie } from './session-cookies.ts';
import type { SessionServices } from './session-services.ts';

/**
 * The Set-Cookie values for tokens the issuer has just issued: the access token until it expires
 * (`expires_in`), the refresh token bound to `binding` and the binding cookie, both for the
 * family's absolute lifetime (tokens.refreshMax; the issuer enforces the idle timeout and the
 * absolute end, the browser merely stops keeping them). A new sign-in gets a new binding
 * (newBinding); a renewal keeps the browser's.
 */
export function sessionCookies(services: SessionServices, tokens: TokenResponse, binding: string): string[] {
  const cookies = [setCookie('access', tokens.access_token, tokens.expires_in)];
  if (tokens.refresh_token !== undefined) {
    const lifetime = services.issuer.config.tokens.refreshMaxSeconds;
    cookies.push(setCookie('refresh', boundRefreshValue(tokens.refresh_token, binding), lifetime), setCookie('binding', binding, lifetime));
  }
  return cookies;
}

/** A fresh binding for a new sign-in: 128 random bits. */
export function newBinding(): string {
  return randomBytes(16).toString('base64url');
}
