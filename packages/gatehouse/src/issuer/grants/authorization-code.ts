import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthorizationCodeRecord, StoreRepositories } from '../../store/index.ts';
import { OAuthError } from '../oauth-error.ts';
import { generateOpaqueToken, hashOpaqueToken } from '../tokens/opaque-token.ts';
import { revokeSessionFamily } from '../tokens/revoke-session-family.ts';
import type { Grant, GrantRequest } from './grant.ts';
import { issueSessionTokens, sessionAudiences, type SessionTokens } from './issue-session-tokens.ts';
import { audiencesStillAllowed, requestedAudience } from './requested-audience.ts';
import { scopesStillAllowed } from './requested-scope.ts';

/** RFC 7636 §4.1: code-verifier = 43*128unreserved. */
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * grant_type=authorization_code (OAuth 2.1 §4.1.3, PKCE S256 only). The code is redeemed at most
 * once, atomically; a second redemption is a sign that it leaked, so what the first one issued is
 * revoked. Every check on the code itself fails with invalid_grant, so a caller learns nothing
 * about which one failed.
 *
 * Every redemption starts a session family, whose id is the `sid` of the access and ID tokens: it
 * is what revocation (a replayed code, logout, `sessions revoke`) reaches. Only clients with the
 * refresh_token grant receive the family's refresh token; for the others the family lives as long
 * as their access token.
 *
 * Spending the code and creating the family are one store transaction: a failure in between (the
 * store going away) commits neither, and the client may present the code again.
 */
export const exchangeAuthorizationCode: Grant = async (grant) => {
  const { services, form } = grant;
  const code = form.get('code');
  const redirectUri = form.get('redirect_uri');
  if (code === undefined) throw new OAuthError('invalid_request', 'code is required');
  // OpenID Connect requires redirect_uri in every authorization request, so it is required here too (RFC 6749 §4.1.3).
  if (redirectUri === undefined) throw new OAuthError('invalid_request', 'redirect_uri is required');
  // Checked before the code is spent: a request that cannot succeed does not burn the legitimate client's code.
  const verifier = form.get('code_verifier');
  if (verifier === undefined || !CODE_VERIFIER.test(verifier)) throw new OAuthError('invalid_grant', 'the code_verifier is missing or malformed');

  const codeHash = hashOpaqueToken(code);
  const redemption = await services.store.transaction((store) => redeem(grant, store, { codeHash, redirectUri, verifier, now: services.clock() }));
  switch (redemption.status) {
    case 'issued':
      return issueSessionTokens(grant, redemption.session);
    case 'replayed':
      await revokeWhatTheCodeIssued(grant, redemption.code);
      throw new OAuthError('invalid_grant', INVALID_CODE);
    default:
      throw redemption.error;
  }
};

const INVALID_CODE = 'the authorization code is invalid, expired or already used';

interface CodeRedemption {
  readonly codeHash: string;
  readonly redirectUri: string;
  readonly verifier: string;
  readonly now: number;
}

/**
 * `refused`: nothing issued. When the code was found it stays spent all the same: whoever
 * presents a code without being able to use it may be an attacker racing the client.
 */
type Redemption =
  | { readonly status: 'issued'; readonly session: SessionTokens }
  | { readonly status: 'replayed'; readonly code: AuthorizationCodeRecord }
  | { readonly status: 'refused'; readonly error: OAuthError };

/** Inside the store transaction: the code spent, checked, and the session family created. A refusal is returned, not thrown, so that the spending commits. */
async function redeem(grant: GrantRequest, store: StoreRepositories, { codeHash, redirectUri, verifier, now }: CodeRedemption): Promise<Redemption> {
  const { services, client, form } = grant;
  const consumption = await store.authorizationCodes.consume(codeHash, now);
  if (consumption.status === 'replayed') return { status: 'replayed', code: consumption.code };
  if (consumption.status !== 'consumed') return { status: 'refused', error: new OAuthError('invalid_grant', INVALID_CODE) };
  const issued = consumption.code;
  try {
    if (issued.clientId !== client.id) throw new OAuthError('invalid_grant', 'the authorization code was issued to another client');
    if (issued.redirectUri !== redirectUri) throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
    if (!pkceMatches(verifier, issued.codeChallenge)) throw new OAuthError('invalid_grant', 'the code_verifier does not match the code_challenge');

    const user = await store.users.findById(issued.userId);
    if (user === undefined || user.disabled) throw new OAuthError('invalid_grant', 'the user cannot be issued tokens');

    const scopes = scopesStillAllowed(issued.scope, client.scopes);
    // A resource chosen at the authorization request binds the session to it; otherwise any of the client's audiences.
    const audience = requestedAudience(form, audiencesStillAllowed(issued.audience, client.audiences));
    const audiences = sessionAudiences(services.config.issuer, audience, scopes);

    const refreshes = client.grants.includes('refresh_token');
    const { tokens } = services.config;
    const familyTtl = refreshes ? { idle: tokens.refreshIdleSeconds, absolute: tokens.refreshMaxSeconds } : { idle: tokens.accessTtlSeconds, absolute: tokens.accessTtlSeconds };
    const refreshToken = generateOpaqueToken();
    const family = await store.refreshTokens.createFamily({
      userId: user.id,
      clientId: client.id,
      scope: scopes.join(' '),
      audience: issued.audience,
      authTime: issued.authTime,
      authorizationCodeHash: codeHash,
      tokenHash: hashOpaqueToken(refreshToken),
      now,
      idleTtl: familyTtl.idle * 1000,
      absoluteTtl: familyTtl.absolute * 1000,
    });
    return { status: 'issued', session: { user, family, scopes, audiences, nonce: issued.nonce, ...(refreshes ? { refreshToken } : {}) } };
  } catch (error) {
    if (error instanceof OAuthError) return { status: 'refused', error };
    throw error;
  }
}

/** BASE64URL(SHA256(ASCII(code_verifier))) === code_challenge (RFC 7636 §4.6), compared in constant time. */
function pkceMatches(verifier: string, challenge: string): boolean {
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'), 'utf8');
  const expected = Buffer.from(challenge, 'utf8');
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

/** OAuth 2.1 §4.1.3: a code used twice revokes the tokens its first use issued, whoever presents it now. */
async function revokeWhatTheCodeIssued(grant: GrantRequest, code: AuthorizationCodeRecord): Promise<void> {
  const { services } = grant;
  const familyIds = await services.store.refreshTokens.revokeFamiliesOfAuthorizationCode(code.codeHash, services.clock(), 'code.replayed');
  for (const id of familyIds) {
    const family = await services.store.refreshTokens.findFamily(id);
    if (family !== undefined) await revokeSessionFamily(services, family, 'code.replayed');
  }
  await services.recordSecurityEvent({
    type: 'code.replayed',
    severity: 'critical',
    subject: code.userId,
    clientId: grant.client.id,
    ip: grant.ip,
    details: { code_client_id: code.clientId, revoked_families: familyIds },
  });
}
