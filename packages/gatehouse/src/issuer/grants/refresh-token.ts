import type { RefreshFamily } from '../../store/index.ts';
import { OAuthError } from '../oauth-error.ts';
import { generateOpaqueToken, hashOpaqueToken } from '../tokens/opaque-token.ts';
import { revokeSessionFamily } from '../tokens/revoke-session-family.ts';
import type { Grant, GrantRequest } from './grant.ts';
import { issueSessionTokens, sessionAudiences } from './issue-session-tokens.ts';
import { audiencesStillAllowed, requestedAudience } from './requested-audience.ts';
import { requestedScopes, scopesStillAllowed } from './requested-scope.ts';

const INVALID_GRANT = 'the refresh token is invalid, expired or revoked';

/**
 * grant_type=refresh_token (RFC 6749 §6, OAuth 2.1 §4.3). Every use rotates the token, in one store
 * transaction; presenting a token that was already rotated means two parties hold it, so the whole
 * family is revoked — its refresh tokens in the store, its access tokens (`sid`) in verifiers — and
 * refresh.reused is raised. Of concurrent uses of one token, exactly one rotates; the others count
 * as reuse.
 *
 * Everything that can refuse the request is checked before the rotation: a refusal never spends
 * the client's token without handing it a new one.
 */
export const refreshAccessToken: Grant = async (grant) => {
  const { services, client, form } = grant;
  const presented = form.get('refresh_token');
  if (presented === undefined) throw new OAuthError('invalid_request', 'refresh_token is required');
  const oldHash = hashOpaqueToken(presented);

  const state = await services.store.refreshTokens.inspect(oldHash, services.clock());
  // Another client's token is refused without touching it: spending it would let that client lock out the owner.
  if (state.status === 'unknown' || state.family.clientId !== client.id) throw new OAuthError('invalid_grant', INVALID_GRANT);
  const user = await services.store.users.findById(state.family.userId);
  if (user === undefined || user.disabled) throw new OAuthError('invalid_grant', INVALID_GRANT);

  // RFC 6749 §6: a refresh may narrow the scope, never widen it; the family keeps what was granted.
  const scopes = requestedScopes(form.get('scope'), scopesStillAllowed(state.family.scope, client.scopes));
  const audience = requestedAudience(form, audiencesStillAllowed(state.family.audience, client.audiences));
  const audiences = sessionAudiences(services.config.issuer, audience, scopes);

  const refreshToken = generateOpaqueToken();
  const rotation = await services.store.refreshTokens.rotate({
    oldHash,
    newHash: hashOpaqueToken(refreshToken),
    now: services.clock(),
    idleTtl: services.config.tokens.refreshIdleSeconds * 1000,
  });
  switch (rotation.status) {
    case 'rotated':
      return issueSessionTokens(grant, { user, family: rotation.family, scopes, audiences, refreshToken });
    case 'reused':
      await revokeReusedFamily(grant, rotation.family);
      throw new OAuthError('invalid_grant', INVALID_GRANT);
    default:
      throw new OAuthError('invalid_grant', INVALID_GRANT);
  }
};

/** The store has already revoked the family (in the rotation's transaction); this pushes it to verifiers and raises the alarm. */
async function revokeReusedFamily(grant: GrantRequest, family: RefreshFamily): Promise<void> {
  await revokeSessionFamily(grant.services, family, 'refresh.reused');
  await grant.services.recordSecurityEvent({
    type: 'refresh.reused',
    severity: 'critical',
    subject: family.userId,
    clientId: grant.client.id,
    ip: grant.ip,
    details: { family_id: family.id },
  });
}
