import type { Authenticator } from './authenticator.ts';
import { createBearerAuthenticator } from './bearer-authenticator.ts';
import type { RouteTokenVerifier } from './route-token-verifier.ts';
import { createSessionCookieAuthenticator } from './session-cookie-authenticator.ts';

/**
 * The gateway's authenticators, in order: the Bearer header, then the session cookie. A request
 * that carries both is judged by its Bearer token alone — the explicit credential the client chose
 * over an ambient one the browser attached (and a refused Bearer token is not rescued by the cookie).
 */
export function createGatewayAuthnChain(tokens: RouteTokenVerifier): readonly Authenticator[] {
  return Object.freeze([createBearerAuthenticator(tokens), createSessionCookieAuthenticator(tokens)]);
}
