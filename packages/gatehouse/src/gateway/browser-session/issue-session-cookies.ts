import type { TokenResponse } from '../../issuer/grants/grant.ts';
import { setCookie } from './session-cookies.ts';
import type { SessionServices } from './session-services.ts';

/**
 * The Set-Cookie values for tokens the issuer has just issued: the access token until it expires
 * (`expires_in`), the refresh token for the family's absolute lifetime (tokens.refreshMax; the
 * issuer enforces the idle timeout and the absolute end, the browser merely stops keeping it).
 */
export function sessionCookies(services: SessionServices, tokens: TokenResponse): string[] {
  const cookies = [setCookie('access', tokens.access_token, tokens.expires_in)];
  if (tokens.refresh_token !== undefined) cookies.push(setCookie('refresh', tokens.refresh_token, services.issuer.config.tokens.refreshMaxSeconds));
  return cookies;
}
