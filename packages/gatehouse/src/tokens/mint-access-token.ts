import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { ServerError } from '../errors.ts';
import type { SigningKeySource } from '../keys/unseal-signing-key.ts';
import { checkAccessTokenTtl, DEFAULT_ACCESS_TOKEN_TTL_SECONDS, MAX_ACCESS_TOKEN_TTL_SECONDS } from './access-token-ttl.ts';
import { SCOPE_TOKEN } from './scope-token.ts';

export interface AccessTokenMinterOptions {
  /** The `iss` of every token: the issuer's public base URL. */
  readonly issuer: string;
  readonly keys: SigningKeySource;
  /** Default 300 (5 min), or the maximum if that is lower. */
  readonly defaultTtlSeconds?: number;
  /** The longest lifetime a request may ask for. Default and cap 3600 (1 h). */
  readonly maxTtlSeconds?: number;
  /**
   * The extra attributes the configuration lets into tokens (tokens are encoded, not encrypted:
   * DESIGN.md "Tokens"). A request's attributes under any other name are left out.
   */
  readonly attributeClaims?: readonly string[];
  /** Milliseconds since the epoch. Default Date.now. */
  readonly clock?: () => number;
}

export interface AccessTokenRequest {
  readonly subject: string;
  /** One audience (`aud` as a string) or several. */
  readonly audience: string | readonly string[];
  readonly clientId: string;
  readonly scopes?: readonly string[];
  readonly roles?: readonly string[];
  /** Candidate attribute claims; only the configured names are used. */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** The session family (`sid`), for revoking every token of a sign-in at once. */
  readonly sessionId?: string;
  readonly ttlSeconds?: number;
}

export interface MintedAccessToken {
  readonly token: string;
  readonly jti: string;
  /** NumericDate (seconds). */
  readonly exp: number;
  readonly kid: string;
}

export type AccessTokenMinter = (request: AccessTokenRequest) => Promise<MintedAccessToken>;

/** Claims the minter sets or verifiers interpret: never taken from configured attributes. */
const RESERVED_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'client_id', 'scope', 'roles', 'sid', 'cnf', 'act', 'may_act', 'azp', '__proto__']);

/**
 * Builds the RFC 9068 access-token minter (used by the issuer's grants and `gatehouse token mint`).
 * Options are validated here, once: lifetimes (token_ttl_invalid) and attribute names (config_invalid).
 * A token is `{alg, kid, typ: "at+jwt"}` over iss, sub, aud, exp, iat, jti, client_id, scope
 * (omitted when empty), roles, sid when given, and the configured attributes.
 */
export function createAccessTokenMinter(options: AccessTokenMinterOptions): AccessTokenMinter {
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) throw new ServerError('config_invalid', 'issuer: a non-empty URL is required');
  const maxTtl = checkAccessTokenTtl(options.maxTtlSeconds ?? MAX_ACCESS_TOKEN_TTL_SECONDS, MAX_ACCESS_TOKEN_TTL_SECONDS, 'the maximum access-token lifetime');
  const defaultTtl = checkAccessTokenTtl(options.defaultTtlSeconds ?? Math.min(DEFAULT_ACCESS_TOKEN_TTL_SECONDS, maxTtl), maxTtl, 'the default access-token lifetime');
  const attributeClaims = [...(options.attributeClaims ?? [])];
  for (const name of attributeClaims) {
    if (typeof name !== 'string' || name.length === 0 || RESERVED_CLAIMS.has(name)) {
      throw new ServerError('config_invalid', `tokens: ${JSON.stringify(name)} cannot be an attribute claim (empty, or a claim the issuer sets itself)`);
    }
  }
  const { issuer, keys } = options;
  const clock = options.clock ?? Date.now;

  return async function mintAccessToken(request: AccessTokenRequest): Promise<MintedAccessToken> {
    const ttl = request.ttlSeconds === undefined ? defaultTtl : checkAccessTokenTtl(request.ttlSeconds, maxTtl, 'the requested access-token lifetime');
    const claims = accessTokenClaims(request);
    const key = keys.signingKey();
    const iat = Math.floor(clock() / 1000);
    const exp = iat + ttl;
    const jti = randomBytes(16).toString('base64url'); // 128 random bits (RFC 9068 §2.2, RFC 7519 §4.1.7)
    const payload: Record<string, unknown> = { iss: issuer, sub: request.subject, aud: claims.aud, exp, iat, jti, client_id: request.clientId };
    if (claims.scope !== undefined) payload.scope = claims.scope;
    payload.roles = claims.roles;
    if (request.sessionId !== undefined) payload.sid = request.sessionId;
    for (const name of attributeClaims) {
      const value = request.attributes !== undefined && Object.hasOwn(request.attributes, name) ? request.attributes[name] : undefined;
      if (value !== undefined) payload[name] = value;
    }
    const token = await new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' }).sign(key.privateKey);
    return { token, jti, exp, kid: key.kid };
  };
}

/**
 * Checks the caller's request (the issuer validates its input before; a failure here is a bug in
 * the caller, hence TypeError) and shapes aud, scope and roles.
 */
function accessTokenClaims(request: AccessTokenRequest): { aud: string | string[]; scope: string | undefined; roles: string[] } {
  const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
  if (!nonEmpty(request.subject)) throw new TypeError('an access token needs a non-empty subject');
  if (!nonEmpty(request.clientId)) throw new TypeError('an access token needs a non-empty clientId');
  if (request.sessionId !== undefined && !nonEmpty(request.sessionId)) throw new TypeError('sessionId must be a non-empty string');
  const audiences = typeof request.audience === 'string' ? [request.audience] : [...request.audience];
  if (audiences.length === 0 || !audiences.every(nonEmpty)) throw new TypeError('an access token needs one or more non-empty audiences');
  const scopes = [...new Set(request.scopes ?? [])];
  if (!scopes.every((scope) => typeof scope === 'string' && SCOPE_TOKEN.test(scope))) throw new TypeError('every scope must be an RFC 6749 scope-token');
  const roles = [...new Set(request.roles ?? [])];
  if (!roles.every(nonEmpty)) throw new TypeError('every role must be a non-empty string');
  return { aud: audiences.length === 1 ? audiences[0]! : audiences, scope: scopes.length > 0 ? scopes.join(' ') : undefined, roles };
}
