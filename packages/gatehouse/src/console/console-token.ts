import type { IncomingMessage } from 'node:http';
import type { RouteConfig } from '../config/index.ts';
import { createBearerAuthenticator, type AuthnOutcome } from '../gateway/authn/index.ts';
import { CONSOLE_AUDIENCE } from './console-client.ts';
import type { ConsoleServices } from './console-services.ts';

/** The role that opens the console and its API. */
export const ADMIN_ROLE = 'admin';

/**
 * What the gateway's verifier is asked to check a console token against: the console's audience.
 * A route in name only (the authenticators take a route); nothing routes to it.
 */
const CONSOLE_TOKEN_TARGET: RouteConfig = Object.freeze({
  id: 'gatehouse-console',
  match: Object.freeze({ host: null, path: null, methods: null }),
  upstream: 'http://127.0.0.1/',
  audience: CONSOLE_AUDIENCE,
  login: null,
  allow: Object.freeze([]),
  deny: Object.freeze([]),
  stripHeaders: Object.freeze([]),
  forwardToken: false,
});

/**
 * An access token for the console, checked by the gateway's own verifier (every check of
 * DESIGN.md "Verification", the live keys and revocation lists) for the console's audience, and
 * only from this gatehouse's issuer: a trusted IdP vouches for its users at the routes it is
 * trusted for, never for this gatehouse's administration.
 */
export async function verifyConsoleToken(services: ConsoleServices, token: string): Promise<AuthnOutcome> {
  const outcome = await services.current().state.tokens.verifyForRoute(token, CONSOLE_TOKEN_TARGET, 'console');
  return ownIssuerOnly(services, outcome);
}

/** The request's `Authorization: Bearer` token for the console, as the gateway's bearer authenticator reads it. */
export async function authenticateBearer(services: ConsoleServices, request: IncomingMessage): Promise<AuthnOutcome> {
  const outcome = await createBearerAuthenticator(services.current().state.tokens).authenticate(request, CONSOLE_TOKEN_TARGET);
  return ownIssuerOnly(services, outcome);
}

function ownIssuerOnly(services: ConsoleServices, outcome: AuthnOutcome): AuthnOutcome {
  if (outcome.kind !== 'authenticated' || outcome.verified.issuer === services.issuer.config.issuer) return outcome;
  return { kind: 'refused', authenticator: outcome.authenticator, reason: 'wrong_issuer', detail: `the console accepts only tokens of ${services.issuer.config.issuer}`, signatureVerified: true };
}
