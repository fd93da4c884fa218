import { pino, type Logger } from 'pino';
import type { FormParameters } from '../../issuer/form-parameters.ts';
import { exchangeAuthorizationCode } from '../../issuer/grants/authorization-code.ts';
import type { Grant, TokenResponse } from '../../issuer/grants/grant.ts';
import { refreshAccessToken } from '../../issuer/grants/refresh-token.ts';
import type { IssuerServices } from '../../issuer/issuer-services.ts';
import { OAuthError, type OAuthErrorCode } from '../../issuer/oauth-error.ts';
import { createIdTokenMinter } from '../../issuer/tokens/mint-id-token.ts';
import { GATEWAY_CLIENT_ID } from './gateway-client.ts';

export type GrantOutcome =
  | { readonly ok: true; readonly tokens: TokenResponse }
  /** The grant's refusal: its RFC 6749 §5.2 code and description, for the log. */
  | { readonly ok: false; readonly error: OAuthErrorCode; readonly description: string };

/**
 * The token endpoint's two grants, called in process for a built-in client (the gateway's, or the
 * console's with `clientId`): the same
 * functions, checks and events as over HTTP (PKCE, single-use codes, rotation, reuse detection),
 * without a network hop or an HTTP client to get wrong. A refusal is an outcome; anything else (a
 * store failure) is thrown, so the request fails as a server error, not as a bad code.
 */
export interface IssuerGrants {
  redeemCode(request: { readonly code: string; readonly redirectUri: string; readonly codeVerifier: string; readonly audience: string }, ip: string): Promise<GrantOutcome>;
  refresh(request: { readonly refreshToken: string; readonly audience: string }, ip: string): Promise<GrantOutcome>;
}

export function createIssuerGrants(services: IssuerServices, logger?: Logger, clientId: string = GATEWAY_CLIENT_ID): IssuerGrants {
  const mintIdToken = createIdTokenMinter({ issuer: services.config.issuer, keys: services.keys, clock: services.clock });
  const log = logger ?? pino({ level: 'silent' });

  async function run(grant: Grant, grantType: 'authorization_code' | 'refresh_token', parameters: Readonly<Record<string, string>>, ip: string): Promise<GrantOutcome> {
    try {
      // Looked up per call, as the token endpoint does: the client follows the running routes.
      const client = await services.clients.find(clientId);
      if (client === undefined || !client.grants.includes(grantType)) throw new OAuthError('unauthorized_client', `the ${clientId} client is not registered for this grant`);
      return { ok: true, tokens: await grant({ services, mintIdToken, client, form: formOf(parameters), ip, log }) };
    } catch (error) {
      if (error instanceof OAuthError) return { ok: false, error: error.error, description: error.message };
      throw error;
    }
  }

  return {
    redeemCode({ code, redirectUri, codeVerifier, audience }, ip) {
      return run(exchangeAuthorizationCode, 'authorization_code', { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: codeVerifier, resource: audience }, ip);
    },
    // `resource` pins the renewed token to the host's audience: a family bound to another
    // audience (the route's audience changed) is refused (invalid_target) and the browser signs in again.
    refresh({ refreshToken, audience }, ip) {
      return run(refreshAccessToken, 'refresh_token', { grant_type: 'refresh_token', refresh_token: refreshToken, resource: audience }, ip);
    },
  };
}

function formOf(parameters: Readonly<Record<string, string>>): FormParameters {
  return {
    get: (name) => (Object.hasOwn(parameters, name) && parameters[name] !== '' ? parameters[name] : undefined),
    getAll: (name) => (Object.hasOwn(parameters, name) && parameters[name] !== '' ? [parameters[name]!] : []),
  };
}
