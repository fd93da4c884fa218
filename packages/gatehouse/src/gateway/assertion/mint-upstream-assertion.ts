import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { ASSERTION_HEADER, ASSERTION_TYP } from '@gatehouse/verify';
import { ServerError } from '../../errors.ts';
import type { SigningKeySource } from '../../keys/unseal-signing-key.ts';

// One definition, shared with the SDK that checks them.
export { ASSERTION_HEADER, ASSERTION_TYP };

/** DESIGN.md "Tokens": an upstream assertion lives at most 60 s; 30 s unless configured. */
export const DEFAULT_ASSERTION_TTL_SECONDS = 30;
export const MAX_ASSERTION_TTL_SECONDS = 60;

export interface UpstreamAssertionMinterOptions {
  /** The `iss` of every assertion: the gatehouse issuer URL (upstreams verify against its JWKS). */
  readonly issuer: string;
  /** The issuer's KeyManager: assertions are signed with the active key, published in the same JWKS. */
  readonly keys: SigningKeySource;
  /** Whole seconds, 1..60. Default 30. */
  readonly ttlSeconds?: number;
  /** Milliseconds since the epoch. Default Date.now. */
  readonly clock?: () => number;
}

/**
 * The verified identity, as the access-token verifier returns it (a VerifySuccess's claims fit):
 * `jti` is the access token's and becomes `token_jti`. Roles of an external issuer should already
 * be read from its configured claim path.
 */
export interface AssertedIdentity {
  readonly sub: string;
  readonly client_id?: string;
  readonly scope?: string;
  readonly roles?: readonly string[];
  readonly sid?: string;
  readonly jti?: string;
  /** The access token's `iss`: this gatehouse or a trusted issuer (a `sub` means something only with it). Becomes `token_iss`. */
  readonly iss?: string;
  /** The access token's `exp` (NumericDate): an assertion never outlives the token it stands for. */
  readonly exp?: number;
}

export interface UpstreamAssertionRequest {
  readonly identity: AssertedIdentity;
  /** The route's audience (`aud`). */
  readonly audience: string;
  readonly routeId: string;
}

export interface MintedUpstreamAssertion {
  readonly token: string;
  readonly jti: string;
  /** NumericDate (seconds). */
  readonly iat: number;
  /** NumericDate (seconds): iat + ttl, or the access token's exp when that comes first. */
  readonly exp: number;
  readonly kid: string;
}

export type UpstreamAssertionMinter = (request: UpstreamAssertionRequest) => Promise<MintedUpstreamAssertion>;

/**
 * Builds the minter of upstream assertions (DESIGN.md "Tokens"): `{alg, kid, typ:
 * "gatehouse-assertion+jwt"}` over iss, aud, sub, iat, exp, jti, the identity's client_id, scope,
 * roles and sid when present, the route (gh_route) and the access token's jti and iss (token_jti,
 * token_iss). It
 * says "the gateway verified this identity for this route and audience", not "this exact request":
 * the gateway reuses one assertion per token and route for half its lifetime (assertion-cache.ts),
 * as Pomerium does with its X-Pomerium-Jwt-Assertion. Options are checked here, once: ttlSeconds
 * beyond 60 is token_ttl_invalid.
 *
 * Signed through jose (async WebCrypto, ~65 µs for ES256 here): the SigningKey holds a
 * non-extractable CryptoKey, and turning it into a node:crypto KeyObject (~25 µs) would make the
 * key exportable again.
 */
export function createUpstreamAssertionMinter(options: UpstreamAssertionMinterOptions): UpstreamAssertionMinter {
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) throw new ServerError('config_invalid', 'issuer: a non-empty URL is required');
  const ttl = options.ttlSeconds ?? DEFAULT_ASSERTION_TTL_SECONDS;
  if (!Number.isSafeInteger(ttl) || ttl <= 0 || ttl > MAX_ASSERTION_TTL_SECONDS) {
    throw new ServerError('token_ttl_invalid', `the upstream assertion lifetime is ${String(ttl)}; it must be a whole number of seconds in 1..${MAX_ASSERTION_TTL_SECONDS}`);
  }
  const { issuer, keys } = options;
  const clock = options.clock ?? Date.now;

  return async function mintUpstreamAssertion(request: UpstreamAssertionRequest): Promise<MintedUpstreamAssertion> {
    const payload = assertionClaims(request);
    const key = keys.signingKey();
    const iat = Math.floor(clock() / 1000);
    const tokenExp = request.identity.exp;
    // Capped by the token's exp, but never at or before iat: a token the gateway still accepts
    // within its leeway gets a one-second assertion (re-signed at most once a second), not a dead one.
    const exp = tokenExp !== undefined && tokenExp < iat + ttl ? Math.max(tokenExp, iat + 1) : iat + ttl;
    const jti = randomBytes(16).toString('base64url');
    const token = await new SignJWT({ iss: issuer, aud: request.audience, sub: request.identity.sub, iat, exp, jti, ...payload })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: ASSERTION_TYP })
      .sign(key.privateKey);
    return { token, jti, iat, exp, kid: key.kid };
  };
}

/**
 * The identity and route claims. The caller is the gateway, which passes verified values: a
 * failure here is a bug in it (TypeError), never a request's fault.
 */
function assertionClaims(request: UpstreamAssertionRequest): Record<string, unknown> {
  const { identity } = request;
  const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
  if (!nonEmpty(identity.sub)) throw new TypeError('an upstream assertion needs a non-empty sub');
  if (!nonEmpty(request.audience)) throw new TypeError('an upstream assertion needs the route\'s audience');
  if (!nonEmpty(request.routeId)) throw new TypeError('routeId must be a non-empty string');
  if (identity.exp !== undefined && !Number.isSafeInteger(identity.exp)) throw new TypeError('identity.exp must be a NumericDate');
  const claims: Record<string, unknown> = {};
  if (identity.client_id !== undefined) claims.client_id = identity.client_id;
  if (identity.scope !== undefined) claims.scope = identity.scope;
  if (identity.roles !== undefined) claims.roles = identity.roles;
  if (identity.sid !== undefined) claims.sid = identity.sid;
  claims.gh_route = request.routeId;
  if (identity.jti !== undefined) claims.token_jti = identity.jti;
  if (identity.iss !== undefined) claims.token_iss = identity.iss;
  return claims;
}
