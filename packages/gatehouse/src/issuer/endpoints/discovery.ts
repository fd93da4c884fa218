import type { FastifyInstance } from 'fastify';
import type { IssuerServices } from '../issuer-services.ts';
import { ISSUER_PATHS } from '../issuer-endpoints.ts';

/**
 * OpenID Connect Discovery 1.0 and RFC 8414 metadata: one document, served at both well-known
 * locations. It advertises only what is implemented: code flow with PKCE S256, no implicit, no
 * password grant.
 */
export function issuerMetadata(services: IssuerServices): Record<string, unknown> {
  const { config, urls } = services;
  const scopes = new Set(['openid', 'profile', 'offline_access']);
  for (const client of config.clients) for (const scope of client.scopes) scopes.add(scope);
  return {
    issuer: config.issuer,
    authorization_endpoint: urls.authorize,
    token_endpoint: urls.token,
    jwks_uri: urls.jwks,
    userinfo_endpoint: urls.userinfo,
    revocation_endpoint: urls.revocation,
    introspection_endpoint: urls.introspection,
    end_session_endpoint: urls.endSession,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: [...scopes].sort(),
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [services.keys.signingKey().alg],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'name', 'preferred_username', 'roles'],
    // RFC 9207: the authorization response carries `iss`, so clients can detect mix-up attacks.
    authorization_response_iss_parameter_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    claims_parameter_supported: false,
  };
}

export function registerDiscovery(app: FastifyInstance, services: IssuerServices): void {
  const serve = async (_request: unknown, reply: import('fastify').FastifyReply) => {
    reply.header('cache-control', 'public, max-age=300');
    reply.header('access-control-allow-origin', '*');
    return issuerMetadata(services);
  };
  app.get(`${services.urls.basePath}${ISSUER_PATHS.openidConfiguration}`, serve);
  app.get(`/.well-known/oauth-authorization-server${services.urls.basePath}`, serve);
}
