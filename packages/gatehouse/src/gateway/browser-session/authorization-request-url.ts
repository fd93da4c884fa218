import { GATEWAY_CLIENT_ID, GATEWAY_CLIENT_SCOPES } from './gateway-client.ts';
import { pkceChallenge, type LoginTransaction } from './login-transaction.ts';

const GATEWAY_CLIENT = Object.freeze({ id: GATEWAY_CLIENT_ID, scopes: GATEWAY_CLIENT_SCOPES });

/**
 * The authorization request that starts a sign-in (OAuth 2.1 §4.1.1, OpenID Connect Core
 * §3.1.2.1): the code flow with PKCE S256, state and nonce from the transaction, and RFC 8707
 * `resource` naming the host's audience, so the code — and every token of its family — is bound to it.
 * The client is the gateway's unless another built-in client (the console's) is given.
 */
export function authorizationRequestUrl(
  authorizationEndpoint: string,
  transaction: LoginTransaction,
  client: { readonly id: string; readonly scopes: readonly string[] } = GATEWAY_CLIENT,
): string {
  const url = new URL(authorizationEndpoint);
  const params = url.searchParams;
  params.set('response_type', 'code');
  params.set('client_id', client.id);
  params.set('redirect_uri', transaction.redirectUri);
  params.set('scope', client.scopes.join(' '));
  params.set('state', transaction.state);
  params.set('nonce', transaction.nonce);
  params.set('code_challenge', pkceChallenge(transaction.codeVerifier));
  params.set('code_challenge_method', 'S256');
  params.set('resource', transaction.audience);
  return url.href;
}
