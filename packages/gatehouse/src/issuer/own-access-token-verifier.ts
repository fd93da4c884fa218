import { createVerifier, type TokenVerifier } from '@gatehouse/verify';
import type { IssuerServices } from './issuer-services.ts';

/**
 * A verifier for this issuer's own access tokens, as every gateway checks them: the in-process
 * key set (a revoked key is gone at once), the revocation lists, the configured leeway. `audience`
 * is the default; callers may pass their own per call.
 */
export function ownAccessTokenVerifier(services: IssuerServices, audience: string | readonly string[]): TokenVerifier {
  const { config } = services;
  return createVerifier({
    issuers: { issuer: config.issuer, keys: services.keys.keySet },
    audience,
    leewaySeconds: config.tokens.leewaySeconds,
    clock: services.clock,
    isRevoked: services.revocations.isRevoked,
  });
}
