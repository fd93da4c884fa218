import { MAX_ACCESS_TOKEN_TTL_SECONDS } from '../../tokens/access-token-ttl.ts';
import type { RefreshFamily } from '../../store/index.ts';
import type { IssuerServices } from '../issuer-services.ts';

/**
 * Revokes a session family everywhere: its refresh tokens in the store (a family already revoked
 * keeps its first time and reason), and its access tokens — they carry `sid` = the family id — in
 * this process's verifiers at once and in other processes' on their next catch-up.
 *
 * The revocation-list entry can go once no token of the family can still verify: none is minted
 * after the family's absolute expiry, and none lives longer than the access-token cap plus leeway.
 */
export async function revokeSessionFamily(services: IssuerServices, family: RefreshFamily, reason: string): Promise<void> {
  await services.store.refreshTokens.revokeFamily(family.id, services.clock(), reason);
  const lastTokenExpiry = family.absoluteExpiresAt + (MAX_ACCESS_TOKEN_TTL_SECONDS + services.config.tokens.leewaySeconds) * 1000;
  await services.revoker.revoke({ kind: 'family', value: family.id, expiresAt: lastTokenExpiry, reason });
}

/** The `session.revoked` security event for a session an operator revoked, through the CLI or the console. */
export function recordSessionRevoked(services: Pick<IssuerServices, 'recordSecurityEvent'>, family: Pick<RefreshFamily, 'id' | 'userId' | 'clientId'>, via: 'cli' | 'console'): Promise<void> {
  return services.recordSecurityEvent({ type: 'session.revoked', severity: 'info', subject: family.userId, clientId: family.clientId, details: { family_id: family.id, via } });
}
