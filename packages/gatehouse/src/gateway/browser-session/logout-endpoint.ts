import { hashOpaqueToken } from '../../issuer/tokens/opaque-token.ts';
import { revokeSessionFamily } from '../../issuer/tokens/revoke-session-family.ts';
import { REFUSALS } from '../pipeline/refusal-responses.ts';
import { sameOrigin } from '../pipeline/same-origin.ts';
import { GATEWAY_CLIENT_ID } from './gateway-client.ts';
import { clearCookie, readSessionCookie, unboundRefreshToken } from './session-cookies.ts';
import type { LoginHostRequest, SessionServices } from './session-services.ts';
import { NO_FACTS, redirectVerdict, sessionAudit, type SessionFacts, type SessionVerdict } from './session-verdicts.ts';

/**
 * POST /.gatehouse/session/logout — sign out. A POST, and only from a page of this host (the same
 * Origin check as every cookie-authenticated state-changing request: no other site can sign a
 * person out). The refresh cookie's whole family is revoked in process — its refresh tokens in
 * the store and, by `sid`, every access token of the sign-in at every verifier — both cookies are
 * cleared, and the browser goes on (303) to the issuer's end-session endpoint: without an
 * id_token_hint it asks the person to confirm ending the issuer's own single sign-on session,
 * which would otherwise sign them straight back in on the next page load.
 */
export async function logout(services: SessionServices, at: LoginHostRequest): Promise<SessionVerdict> {
  if (!sameOrigin(at.request)) {
    const { status, headers, body } = REFUSALS.forbidden;
    return { kind: 'respond', status, headers, body, audit: sessionAudit('deny', 'origin_mismatch') };
  }
  const cookie = readSessionCookie(at.request.headers.cookie, 'refresh');
  const refreshToken = cookie.kind === 'one' ? unboundRefreshToken(cookie.value, readSessionCookie(at.request.headers.cookie, 'binding')) : undefined;
  const facts = refreshToken === undefined ? NO_FACTS : await revokeFamilyOf(services, refreshToken);
  return redirectVerdict(303, services.issuer.urls.endSession, [clearCookie('access'), clearCookie('refresh'), clearCookie('binding')], sessionAudit('allow', 'logged_out', facts));
}

/** Revokes the family of a refresh token of the gateway's client, rotated or not; returns who it belonged to. */
async function revokeFamilyOf(services: SessionServices, refreshToken: string): Promise<SessionFacts> {
  const found = await services.issuer.store.refreshTokens.inspect(hashOpaqueToken(refreshToken), services.clock());
  if (found.status === 'unknown' || found.family.clientId !== GATEWAY_CLIENT_ID) return NO_FACTS;
  if (found.family.revokedAt === null) await revokeSessionFamily(services.issuer, found.family, 'signed out at the gateway');
  return { ...NO_FACTS, sub: found.family.userId, clientId: GATEWAY_CLIENT_ID };
}
