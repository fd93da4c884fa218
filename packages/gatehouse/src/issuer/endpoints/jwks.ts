import type { FastifyInstance } from 'fastify';
import type { IssuerServices } from '../issuer-services.ts';
import { ISSUER_PATHS } from '../issuer-endpoints.ts';

/**
 * The public JWK Set: pending, active and retiring keys (never retired or revoked ones, never
 * private material). Cached briefly by clients; a revoked key is gone from the next response.
 */
export function registerJwks(app: FastifyInstance, services: IssuerServices): void {
  app.get(`${services.urls.basePath}${ISSUER_PATHS.jwks}`, async (_request, reply) => {
    reply.header('content-type', 'application/jwk-set+json');
    reply.header('cache-control', 'public, max-age=300');
    reply.header('access-control-allow-origin', '*');
    return services.keys.jwks();
  });
}
