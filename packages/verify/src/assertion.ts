import { GatehouseError } from './errors.ts';
import type { KeySource } from './key-source.ts';
import type { ReasonCode } from './reasons.ts';
import { createVerifier, type VerifyFailure, type VerifyResult, type VerifySuccess } from './verifier.ts';

/**
 * The header `typ` of a gateway assertion: never `at+jwt`, so an assertion is refused as an access
 * token and an access token is refused as an assertion (both `wrong_typ`).
 */
export const ASSERTION_TYP = 'gatehouse-assertion+jwt';

/** The request header the gateway puts the assertion in (Node lower-cases it: `x-gatehouse-assertion`). */
export const ASSERTION_HEADER = 'X-Gatehouse-Assertion';

/** What an assertion must carry beyond iss, aud, exp and iat. */
export const ASSERTION_REQUIRED_CLAIMS: readonly string[] = ['sub', 'jti', 'gh_route'];

/** Gatehouse's own claims: a non-empty string whenever present. */
const GATEHOUSE_STRING_CLAIMS = ['gh_route', 'token_jti', 'token_iss'] as const;

/**
 * The claims of a verified gateway assertion. It says that the gateway verified this identity
 * and allowed it on this route (and audience) within the assertion's lifetime; the gateway reuses
 * one assertion per access token and route for up to half of that lifetime, so it is not bound to
 * one request (join logs on the X-Request-Id header instead).
 */
export interface AssertionClaims {
  readonly iss: string;
  /** The route's audience. */
  readonly aud: string | readonly string[];
  readonly sub: string;
  readonly iat: number;
  readonly exp: number;
  /** This assertion's own id (random). */
  readonly jti: string;
  readonly client_id?: string;
  readonly scope?: string;
  readonly roles?: readonly string[];
  readonly sid?: string;
  /** The gateway route id. */
  readonly gh_route: string;
  /** The `jti` of the access token the request carried. */
  readonly token_jti?: string;
  /** The `iss` of that access token: this gatehouse, or a trusted issuer (read `sub` with it). */
  readonly token_iss?: string;
  readonly [claim: string]: unknown;
}

export interface AssertionVerifySuccess extends Omit<VerifySuccess, 'claims'> {
  readonly claims: AssertionClaims;
}

/** The access-token verifier's result, with assertion claims on success. */
export type AssertionVerifyResult = AssertionVerifySuccess | VerifyFailure;

/** Just what gatewayIdentity reads of a request: a Node `http.IncomingMessage` fits, framework or not. */
export interface AssertionRequest {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export interface AssertionVerifierOptions {
  /** The gateway's issuer URL (exact `iss`). */
  readonly issuer: string;
  /** The gateway's keys: usually createRemoteKeySource(<issuer JWKS URL>). */
  readonly keys: KeySource;
  /** This service's audience: the `audience` of the routes in front of it. */
  readonly audience: string | readonly string[];
  /** Clock skew tolerated on exp and iat, in seconds. Default 5 (assertions live seconds). */
  readonly leewaySeconds?: number;
  /** Longest accepted lifetime (`exp - iat`), in seconds. Default 60, at most 300. */
  readonly maxAgeSeconds?: number;
  /** Milliseconds since the epoch. Default Date.now. */
  readonly clock?: () => number;
}

export interface AssertionVerifier {
  /** Verifies with the keys at hand; never waits, never throws for a bad assertion. */
  verifySync(assertion: unknown): AssertionVerifyResult;
  /** As verifySync, but loads remote keys first and refetches (rate-limited) on an unknown kid. */
  verify(assertion: unknown): Promise<AssertionVerifyResult>;
  /**
   * Reads the assertion header of a Node http request and verifies it. A request without the
   * header is refused with token_missing. Bound, so it can be passed around on its own.
   */
  gatewayIdentity(request: AssertionRequest): Promise<AssertionVerifyResult>;
}

const DEFAULT_LEEWAY_SECONDS = 5;
const DEFAULT_MAX_AGE_SECONDS = 60;
const MAX_MAX_AGE_SECONDS = 300;
const HEADER_KEY = ASSERTION_HEADER.toLowerCase();

/**
 * Builds the verifier an upstream service uses to check that a request passed the gateway. Every
 * token check is the access-token verifier's (createVerifier, with the assertion `typ` and claims,
 * and its cache: the gateway sends the same assertion for a while); on top of it comes only what
 * is particular to assertions: the short lifetime and string-typed gh_ claims.
 */
export function createAssertionVerifier(options: AssertionVerifierOptions): AssertionVerifier {
  const maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  if (!(typeof maxAgeSeconds === 'number' && maxAgeSeconds > 0 && maxAgeSeconds <= MAX_MAX_AGE_SECONDS)) {
    throw new GatehouseError('invalid_option', `maxAgeSeconds must be a number in (0, ${MAX_MAX_AGE_SECONDS}]`);
  }
  const tokens = createVerifier({
    issuers: { issuer: options.issuer, keys: options.keys, typ: ASSERTION_TYP, requiredClaims: ASSERTION_REQUIRED_CLAIMS },
    audience: options.audience,
    leewaySeconds: options.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });

  function finish(result: VerifyResult): AssertionVerifyResult {
    if (!result.ok) return result;
    const { claims, header } = result;
    const fail = (reason: ReasonCode, detail: string): VerifyFailure => ({ ok: false, reason, detail, header, claims, signatureVerified: true });
    for (const name of GATEHOUSE_STRING_CLAIMS) {
      const value = Object.hasOwn(claims, name) ? claims[name] : undefined;
      if (value !== undefined && (typeof value !== 'string' || value.length === 0)) return fail('invalid_claim', `"${name}" must be a non-empty string`);
    }
    if (!(claims.exp - claims.iat <= maxAgeSeconds)) {
      return fail('invalid_claim', `lifetime exp - iat = ${claims.exp - claims.iat}s exceeds ${maxAgeSeconds}s`);
    }
    return result as AssertionVerifySuccess;
  }

  const verifier: AssertionVerifier = {
    verifySync(assertion) {
      return finish(tokens.verifySync(assertion));
    },
    async verify(assertion) {
      return finish(await tokens.verify(assertion));
    },
    gatewayIdentity(request) {
      const read = assertionFromRequest(request);
      if (!read.ok) return Promise.resolve(read);
      return verifier.verify(read.assertion);
    },
  };
  return verifier;
}

/** The assertion header of a Node http request (framework-free). */
export function assertionFromRequest(request: AssertionRequest): { ok: true; assertion: string } | VerifyFailure {
  const value = request.headers[HEADER_KEY];
  // Node joins repeated unknown headers with ", "; an array comes only from other servers' parsers.
  if (typeof value !== 'string') {
    return value === undefined
      ? { ok: false, reason: 'token_missing', detail: `no ${ASSERTION_HEADER} header`, signatureVerified: false }
      : { ok: false, reason: 'malformed_token', detail: `${ASSERTION_HEADER} header given more than once`, signatureVerified: false };
  }
  return { ok: true, assertion: value };
}
