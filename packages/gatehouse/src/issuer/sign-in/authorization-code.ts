import type { IssuerServices } from '../issuer-services.ts';
import { generateOpaqueToken, hashOpaqueToken } from '../tokens/opaque-token.ts';
import type { AuthorizationRequest } from './authorization-request.ts';

/**
 * Authorization codes: 256 random bits, base64url, usable once within 60 seconds. Only the hash is
 * stored (hashOpaqueToken, which the token endpoint looks codes up by), so a copy of the database
 * redeems nothing.
 */
export const AUTHORIZATION_CODE_TTL_MS = 60 * 1000;

/** Creates and stores a code for a signed-in user; returns the code (never stored in clear). */
export async function issueAuthorizationCode(services: IssuerServices, request: AuthorizationRequest, userId: string, authTime: number): Promise<string> {
  const code = generateOpaqueToken();
  const now = services.clock();
  await services.store.authorizationCodes.insert({
    codeHash: hashOpaqueToken(code),
    clientId: request.clientId,
    userId,
    redirectUri: request.redirectUri,
    scope: request.scope,
    audience: request.audience,
    codeChallenge: request.codeChallenge,
    nonce: request.nonce,
    authTime,
    createdAt: now,
    expiresAt: now + AUTHORIZATION_CODE_TTL_MS,
  });
  return code;
}
