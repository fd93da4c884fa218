import { OAuthError } from '../oauth-error.ts';
import { accessTokenResponse, type Grant } from './grant.ts';
import { requestedAudience } from './requested-audience.ts';
import { requestedScopes } from './requested-scope.ts';

/**
 * grant_type=client_credentials (RFC 6749 §4.4): a service's token for itself. `sub` is the client
 * id and `roles` the client's roles. Without `scope` the token carries all of the client's scopes
 * (a service asks for what it is configured for); without `resource`, the client's only audience,
 * and invalid_target when it has several. No refresh token (§4.4.3: the client can simply ask
 * again) and no ID token (there is no person).
 */
export const issueClientCredentialsToken: Grant = async (grant) => {
  const { services, client, form } = grant;
  // Configuration never gives public clients this grant; a stored client is checked all the same.
  if (client.public) throw new OAuthError('unauthorized_client', 'public clients cannot use client_credentials');
  const scopes = requestedScopes(form.get('scope'), client.scopes);
  const audience = requestedAudience(form, client.audiences);
  if (audience === null) throw new OAuthError('invalid_target', 'ask for one of this client\'s resources');

  const access = await services.mintAccessToken({ subject: client.id, audience, clientId: client.id, scopes, roles: client.roles });
  grant.log.debug({ event: 'token.issued', client_id: client.id, sub: client.id, jti: access.jti, kid: access.kid, aud: audience }, 'token.issued');
  return accessTokenResponse(access, scopes, services.clock());
};
