import type { RefreshFamily, User } from '../../store/index.ts';
import { OAuthError } from '../oauth-error.ts';
import { accessTokenResponse, type GrantRequest, type TokenResponse } from './grant.ts';

export interface SessionTokens {
  readonly user: User;
  readonly family: RefreshFamily;
  readonly scopes: readonly string[];
  /** The `aud` list, from sessionAudiences. */
  readonly audiences: readonly string[];
  /** Returned only to clients that have the refresh_token grant. */
  readonly refreshToken?: string;
  /** From the authorization request; never on refresh (OIDC Core §12.2). */
  readonly nonce?: string | null;
}

/**
 * The access token's audiences for a person's session: the chosen API audience, plus the issuer
 * itself when the scope has `openid`, so the same token is accepted at userinfo. Neither →
 * invalid_target: a token no service would accept is not issued.
 */
export function sessionAudiences(issuer: string, audience: string | null, scopes: readonly string[]): string[] {
  const audiences = audience === null ? [] : [audience];
  if (scopes.includes('openid') && !audiences.includes(issuer)) audiences.push(issuer);
  if (audiences.length === 0) throw new OAuthError('invalid_target', 'ask for one of this client\'s resources');
  return audiences;
}

/**
 * The token response of the authorization_code and refresh_token grants: an access token bound to
 * the session family (`sid`), an ID token when the scope has `openid`, and the refresh token if any.
 * Everything was validated before; nothing here can refuse the request.
 */
export async function issueSessionTokens(grant: GrantRequest, session: SessionTokens): Promise<TokenResponse> {
  const { services, client } = grant;
  const { user, family, scopes } = session;
  const access = await services.mintAccessToken({
    subject: user.id,
    audience: session.audiences,
    clientId: client.id,
    scopes,
    roles: user.roles,
    sessionId: family.id,
  });
  const idToken = scopes.includes('openid')
    ? await grant.mintIdToken({ subject: user.id, clientId: client.id, authTime: family.authTime, nonce: session.nonce ?? null, sessionId: family.id, accessToken: access.token })
    : undefined;
  // Not a security event (one per sign-in and refresh would drown them): a debug line.
  grant.log.debug({ event: 'token.issued', client_id: client.id, sub: user.id, sid: family.id, jti: access.jti, kid: access.kid, id_token: idToken !== undefined, refresh_token: session.refreshToken !== undefined }, 'token.issued');
  return {
    ...accessTokenResponse(access, scopes, services.clock()),
    ...(session.refreshToken === undefined ? {} : { refresh_token: session.refreshToken }),
    ...(idToken === undefined ? {} : { id_token: idToken.token }),
  };
}
