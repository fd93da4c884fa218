import type { ReasonCode } from './reasons.ts';

/** Registered and RFC 9068 claims as a verified access token carries them; other claims pass through. */
export interface AccessTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  readonly exp: number;
  readonly iat: number;
  readonly nbf?: number;
  readonly jti: string;
  readonly client_id: string;
  readonly scope?: string;
  readonly sid?: string;
  readonly roles?: readonly string[];
  readonly [claim: string]: unknown;
}

export interface ClaimRules {
  readonly issuer: string;
  /** Seconds of clock skew tolerated on exp, nbf and iat. */
  readonly leewaySeconds: number;
  /** Claims that must be present beyond iss, aud, exp, iat. */
  readonly requiredClaims: readonly string[];
}

/** RFC 9068 §2.2: an access token carries these besides iss, aud, exp and iat. */
export const ACCESS_TOKEN_CLAIMS: readonly string[] = ['sub', 'client_id', 'jti'];

const STRING_CLAIMS = ['iss', 'sub', 'jti', 'client_id', 'scope', 'sid'] as const;

export type ClaimFault = { readonly reason: ReasonCode; readonly detail: string };

/**
 * Rule 5: issuer, audience, times and claim types. Pure: the clock is an argument (seconds).
 * `audience`: the token's `aud` must contain it (or one of them).
 */
export function checkClaims(claims: Record<string, unknown>, rules: ClaimRules, audience: string | readonly string[], nowSeconds: number): ClaimFault | undefined {
  return checkClaimShapes(claims, rules) ?? checkClaimsNow(claims, rules, audience, nowSeconds);
}

/**
 * What is fixed for a given token: claim types, the issuer, the presence of required claims.
 * Run once per token; a verified-token cache hit does not repeat it.
 */
export function checkClaimShapes(claims: Record<string, unknown>, rules: ClaimRules): ClaimFault | undefined {
  // Each claim is read once, as an own member.
  for (const name of STRING_CLAIMS) {
    const value = own(claims, name);
    if (value !== undefined && (typeof value !== 'string' || (name !== 'scope' && value.length === 0))) {
      return { reason: 'invalid_claim', detail: `"${name}" must be a non-empty string` };
    }
  }
  const exp = own(claims, 'exp');
  const iat = own(claims, 'iat');
  const nbf = own(claims, 'nbf');
  const badDate = !isNumericDate(exp) ? 'exp' : !isNumericDate(iat) ? 'iat' : !isNumericDate(nbf) ? 'nbf' : undefined;
  if (badDate !== undefined) return { reason: 'invalid_claim', detail: `"${badDate}" must be a NumericDate (a finite number)` };
  const roles = own(claims, 'roles');
  if (roles !== undefined && (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string'))) {
    return { reason: 'invalid_claim', detail: '"roles" must be an array of strings' };
  }
  const iss = claims.iss;
  if (!Object.hasOwn(claims, 'iss') || iss === undefined) return { reason: 'wrong_issuer', detail: 'token has no "iss"' };
  if (iss !== rules.issuer) return { reason: 'wrong_issuer', detail: `"iss" ${JSON.stringify(iss)} is not ${JSON.stringify(rules.issuer)}` };
  const aud = own(claims, 'aud');
  if (aud === undefined) return { reason: 'missing_claim', detail: 'token has no "aud"' };
  if (typeof aud === 'string' ? aud.length === 0 : !isAudienceList(aud)) {
    return { reason: 'invalid_claim', detail: '"aud" must be a non-empty string or a non-empty array of non-empty strings' };
  }
  if (exp === undefined) return { reason: 'missing_claim', detail: 'token has no "exp"' };
  if (iat === undefined) return { reason: 'missing_claim', detail: 'token has no "iat"' };
  for (const name of rules.requiredClaims) {
    if (own(claims, name) === undefined) return { reason: 'missing_claim', detail: `token has no "${name}"` };
  }
  return undefined;
}

/**
 * What depends on the request and the clock: the expected audience and exp/nbf/iat with leeway.
 * Expects claims that passed checkClaimShapes. Written so that a clock that is not a number
 * refuses (every comparison with NaN is false).
 */
export function checkClaimsNow(claims: Record<string, unknown>, rules: ClaimRules, audience: string | readonly string[], nowSeconds: number): ClaimFault | undefined {
  const aud = claims.aud as string | readonly string[];
  if (!audienceMatches(aud, audience)) {
    return { reason: 'wrong_audience', detail: `"aud" ${JSON.stringify(aud)} does not contain ${JSON.stringify(audience)}` };
  }
  const leeway = rules.leewaySeconds;
  const exp = claims.exp as number;
  if (!(nowSeconds - leeway < exp)) return { reason: 'token_expired', detail: `expired at ${exp}; now ${Math.floor(nowSeconds)}, leeway ${leeway}s` };
  const nbf = own(claims, 'nbf') as number | undefined;
  if (nbf !== undefined && !(nowSeconds + leeway >= nbf)) return { reason: 'token_not_yet_valid', detail: `not valid before ${nbf}; now ${Math.floor(nowSeconds)}, leeway ${leeway}s` };
  const iat = claims.iat as number;
  if (!(iat <= nowSeconds + leeway)) return { reason: 'issued_in_future', detail: `issued at ${iat}; now ${Math.floor(nowSeconds)}, leeway ${leeway}s` };
  return undefined;
}

/** Absent, or a finite number. */
function isNumericDate(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value));
}

/** Own members only: a property planted on Object.prototype must never stand in for a claim. */
function own(claims: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}

function isAudienceList(aud: unknown): aud is readonly string[] {
  return Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string' && a.length > 0);
}

// Written without building arrays: this runs on every request, cached or not.
function audienceMatches(aud: string | readonly string[], expected: string | readonly string[]): boolean {
  if (typeof expected === 'string') return typeof aud === 'string' ? aud === expected : aud.includes(expected);
  for (const want of expected) if (typeof aud === 'string' ? aud === want : aud.includes(want)) return true;
  return false;
}
