import { ACCESS_TOKEN_CLAIMS, checkClaimShapes, checkClaimsNow, type AccessTokenClaims, type ClaimRules } from './claims.ts';
import { DEFAULT_MAX_TOKEN_LENGTH, HeaderCache, parseCompactJws, type CompactLimits, type JoseHeader } from './compact.ts';
import { GatehouseError } from './errors.ts';
import { checkSignature } from './jws.ts';
import type { KeySource } from './key-source.ts';
import type { ReasonCode } from './reasons.ts';
import { parseJsonObject } from './strict-json.ts';
import { VerifiedTokenCache } from './token-cache.ts';
import type { Algorithm } from './algorithms.ts';

export interface TrustedIssuer {
  /** Exact `iss` value. */
  readonly issuer: string;
  readonly keys: KeySource;
  /**
   * The header `typ` this issuer's access tokens carry, compared case-insensitively with any
   * `application/` prefix removed (RFC 9068 §4). Default `at+jwt`. `null` skips the check, for an
   * external IdP that does not type its tokens.
   */
  readonly typ?: string | null;
  /** Claims required beyond iss, aud, exp, iat. Default: RFC 9068's sub, client_id, jti. */
  readonly requiredClaims?: readonly string[];
}

/** Which revocation list matched: one token (jti), a session family (sid), a subject, or a signing key. */
export type RevocationList = 'token' | 'family' | 'subject' | 'key';

/** Consulted on every successful verification, cached or not. Must be synchronous and cheap. */
export type RevocationCheck = (claims: AccessTokenClaims, kid: string, issuer: string) => RevocationList | undefined;

export interface VerifierOptions {
  readonly issuers: TrustedIssuer | readonly TrustedIssuer[];
  /** The audience this verifier accepts (a route's audience); per call overridable. */
  readonly audience: string | readonly string[];
  /** Clock skew tolerated on exp/nbf/iat, in seconds. Default 30. */
  readonly leewaySeconds?: number;
  readonly maxTokenLength?: number;
  /** Milliseconds since the epoch. Default Date.now. */
  readonly clock?: () => number;
  readonly isRevoked?: RevocationCheck;
  /** Verified-token cache; `false` disables it. Default 10,000 entries. */
  readonly cache?: false | { readonly maxEntries?: number };
}

export interface VerifySuccess {
  readonly ok: true;
  readonly header: JoseHeader;
  readonly claims: AccessTokenClaims;
  readonly kid: string;
  readonly alg: Algorithm;
  readonly issuer: string;
  /** True when the signature check was skipped because this exact token was verified before. */
  readonly cached: boolean;
}

export interface VerifyFailure {
  readonly ok: false;
  readonly reason: ReasonCode;
  /** Precise, for the audit log and debugging tools; never for the wire. */
  readonly detail: string;
  readonly header?: JoseHeader;
  /** The claims as decoded: the issuer's words only when `signatureVerified`, else the sender's. */
  readonly claims?: Record<string, unknown>;
  /**
   * True when the refusal came after the signature verified (wrong typ, claims, times, audience,
   * revocation): only then may sub, client_id and jti be logged or counted as the issuer's.
   */
  readonly signatureVerified: boolean;
}

export type VerifyResult = VerifySuccess | VerifyFailure;

export interface TokenVerifier {
  /** Verifies with the keys at hand; never waits, never throws for a bad token. */
  verifySync(token: unknown, options?: { audience?: string | readonly string[] }): VerifyResult;
  /** As verifySync, but loads remote keys first and refetches (rate-limited) on an unknown kid. */
  verify(token: unknown, options?: { audience?: string | readonly string[] }): Promise<VerifyResult>;
  clearCache(): void;
}

const DEFAULT_TYP = 'at+jwt';

export function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

interface IssuerRuntime extends ClaimRules {
  readonly keys: KeySource;
  readonly typ: string | null;
}

function failure(reason: ReasonCode, detail: string, header?: JoseHeader, claims?: Record<string, unknown>): VerifyFailure {
  return { ok: false, reason, detail, header, claims, signatureVerified: false };
}

/** A refusal of a token whose signature verified. */
function authenticFailure(reason: ReasonCode, detail: string, header: JoseHeader, claims: Record<string, unknown>): VerifyFailure {
  return { ok: false, reason, detail, header, claims, signatureVerified: true };
}

/**
 * Builds an access-token verifier: every rule of DESIGN.md "Verification". Options are validated
 * here, once; the returned functions do no configuration work per call.
 */
export function createVerifier(options: VerifierOptions): TokenVerifier {
  const leewaySeconds = options.leewaySeconds ?? 30;
  if (!(leewaySeconds >= 0 && leewaySeconds <= 300)) throw new GatehouseError('invalid_option', 'leewaySeconds must be between 0 and 300');
  const issuers = new Map<string, IssuerRuntime>();
  for (const trusted of Array.isArray(options.issuers) ? options.issuers : [options.issuers as TrustedIssuer]) {
    if (typeof trusted.issuer !== 'string' || trusted.issuer.length === 0) throw new GatehouseError('invalid_option', 'every trusted issuer needs a non-empty "issuer"');
    if (issuers.has(trusted.issuer)) throw new GatehouseError('invalid_option', `issuer ${trusted.issuer} is listed twice`);
    issuers.set(trusted.issuer, {
      issuer: trusted.issuer,
      keys: trusted.keys,
      typ: trusted.typ === null ? null : normalizeTyp(trusted.typ ?? DEFAULT_TYP),
      requiredClaims: trusted.requiredClaims ?? ACCESS_TOKEN_CLAIMS,
      leewaySeconds,
    });
  }
  if (issuers.size === 0) throw new GatehouseError('invalid_option', 'at least one trusted issuer is required');
  const defaultAudience = checkAudienceOption(options.audience);
  const maxTokenLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  if (!(Number.isInteger(maxTokenLength) && maxTokenLength >= 1 && maxTokenLength <= 65_536)) throw new GatehouseError('invalid_option', 'maxTokenLength must be an integer from 1 to 65536');
  const limits: CompactLimits = { maxTokenLength };
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new GatehouseError('invalid_option', 'clock must be a function returning milliseconds');
  const isRevoked = options.isRevoked;
  if (isRevoked !== undefined && typeof isRevoked !== 'function') throw new GatehouseError('invalid_option', 'isRevoked must be a function');
  const maxEntries = options.cache === false ? 0 : options.cache?.maxEntries ?? 10_000;
  if (!(Number.isInteger(maxEntries) && maxEntries >= 0 && maxEntries <= 10_000_000)) throw new GatehouseError('invalid_option', 'cache.maxEntries must be an integer from 0 to 10,000,000');
  const cache = options.cache === false ? undefined : new VerifiedTokenCache(maxEntries);
  const headers = new HeaderCache();
  // Set by verifyOnce when the refusal may be cured by fetching the issuer's keys; read at once by verify().
  let sourceToRefresh: KeySource | undefined;

  /** The last checks, run on every success path, cached or not: audience, times, revocation. */
  function finish(runtime: IssuerRuntime, header: JoseHeader, claims: AccessTokenClaims, kid: string, alg: Algorithm, audience: string | readonly string[], nowMs: number, cached: boolean): VerifyResult {
    const fault = checkClaimsNow(claims, runtime, audience, nowMs / 1000);
    if (fault !== undefined) return authenticFailure(fault.reason, fault.detail, header, claims);
    const revoked = isRevoked?.(claims, kid, runtime.issuer);
    if (revoked !== undefined) return authenticFailure('token_revoked', `revoked: ${revoked} list`, header, claims);
    return { ok: true, header, claims, kid, alg, issuer: runtime.issuer, cached };
  }

  function verifyOnce(token: unknown, audience: string | readonly string[]): VerifyResult {
    sourceToRefresh = undefined;
    const nowMs = clock();
    if (cache !== undefined && typeof token === 'string') {
      const hit = cache.get(token, nowMs);
      if (hit !== undefined) {
        const runtime = issuers.get(hit.issuer);
        // A key that left the trusted set (rotated out or revoked) takes its cached tokens with it.
        if (runtime !== undefined && runtime.keys.getKey(hit.key.kid) === hit.key) {
          return finish(runtime, hit.header, hit.claims, hit.key.kid, hit.key.alg, audience, nowMs, true);
        }
        cache.delete(token);
      }
    }

    const jws = parseCompactJws(token, limits, headers);
    if (!jws.ok) return failure(jws.reason, jws.detail, jws.header);
    const { header } = jws;
    const payload = parseJsonObject(jws.payload);
    if (!payload.ok) return failure('malformed_payload', `payload: ${payload.fault}`, header);
    const claims = payload.value;

    const iss = Object.hasOwn(claims, 'iss') ? claims.iss : undefined;
    const runtime = typeof iss === 'string' ? issuers.get(iss) : undefined;
    if (runtime === undefined) {
      return failure('wrong_issuer', iss === undefined ? 'token has no "iss"' : `"iss" ${JSON.stringify(iss)} is not a trusted issuer`, header, claims);
    }
    if (header.kid === undefined) return failure('unknown_kid', 'header has no "kid"', header, claims);
    const key = runtime.keys.getKey(header.kid);
    if (key === undefined) {
      sourceToRefresh = runtime.keys;
      return runtime.keys.available
        ? failure('unknown_kid', `issuer ${runtime.issuer} has no trusted key with kid ${JSON.stringify(header.kid)}`, header, claims)
        : failure('keys_unavailable', `keys of issuer ${runtime.issuer} are not available`, header, claims);
    }
    const refused = checkSignature(jws, key);
    if (refused !== undefined) return failure(refused.reason, refused.detail, header, claims);
    if (runtime.typ !== null) {
      if (header.typ === undefined) return authenticFailure('wrong_typ', `header has no "typ"; expected "${runtime.typ}"`, header, claims);
      if (header.typ !== runtime.typ && normalizeTyp(header.typ) !== runtime.typ) return authenticFailure('wrong_typ', `"typ" ${JSON.stringify(header.typ)} is not "${runtime.typ}"`, header, claims);
    }
    const shapeFault = checkClaimShapes(claims, runtime);
    if (shapeFault !== undefined) return authenticFailure(shapeFault.reason, shapeFault.detail, header, claims);
    const accessClaims = claims as AccessTokenClaims;
    const result = finish(runtime, header, accessClaims, key.kid, key.alg, audience, nowMs, false);
    if (result.ok && cache !== undefined) {
      cache.set(token as string, { header, claims: accessClaims, key, issuer: runtime.issuer, expiresAt: (accessClaims.exp + leewaySeconds) * 1000 });
    }
    return result;
  }

  const audienceFor = (options?: { audience?: string | readonly string[] }) =>
    options?.audience === undefined ? defaultAudience : checkAudienceOption(options.audience);

  return {
    verifySync(token, callOptions) {
      return verifyOnce(token, audienceFor(callOptions));
    },
    async verify(token, callOptions) {
      const audience = audienceFor(callOptions);
      const result = verifyOnce(token, audience);
      const source = sourceToRefresh;
      if (source === undefined || result.ok || result.header?.kid === undefined) return result;
      if (!source.available && source.ready !== undefined) await source.ready();
      const refetched = source.available && source.getKey(result.header.kid) !== undefined ? true : await source.refresh?.(result.header.kid);
      return refetched ? verifyOnce(token, audience) : result;
    },
    clearCache() {
      cache?.clear();
    },
  };
}

function checkAudienceOption(audience: unknown): string | readonly string[] {
  const list = typeof audience === 'string' ? [audience] : audience;
  if (!Array.isArray(list) || list.length === 0 || !list.every((a) => typeof a === 'string' && a.length > 0)) {
    throw new GatehouseError('invalid_option', '"audience" must be a non-empty string or array of non-empty strings');
  }
  return audience as string | readonly string[];
}
