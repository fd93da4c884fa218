/**
 * `gatehouse token explain`'s core: every check of DESIGN.md "Verification" run on its own, one
 * result each, in the order the gateway's verifier runs them — so the first failure listed is the
 * reason the gateway gives. Each check calls the verify SDK's own piece (parseCompactJws,
 * parseJsonObject, checkSignature, checkClaimShapes, checkClaimsNow, the key source, the
 * revocation hook), never a copy of it. Unlike the verifier it does not stop at the first
 * failure: a later check runs whenever what it needs is known (an expired token still shows its
 * audience and revocation), and says SKIP with why when it is not (after a bad signature, the
 * claims are the sender's words, not the issuer's).
 *
 * Pure: keys, revocation lists and the clock are arguments. A remote key set must be loaded (and
 * refreshed for an unknown kid) before calling, as the verifier's async verify() would.
 */
import {
  checkClaimShapes,
  checkClaimsNow,
  checkSignature,
  DEFAULT_MAX_TOKEN_LENGTH,
  normalizeTyp,
  parseCompactJws,
  parseJsonObject,
  type AccessTokenClaims,
  type ClaimRules,
  type JoseHeader,
  type KeySource,
  type ReasonCode,
  type RevocationCheck,
  type RevocationList,
  type TrustedKey,
} from '@gatehouse/verify';
import { formatDuration } from '../config/index.ts';

/** One issuer whose access tokens the gateway accepts, with what its verifier is told about it. */
export interface ExplainedIssuer {
  /** Exact `iss`. */
  readonly issuer: string;
  /** How explanations name it: `this gatehouse`, `trust[0]`. */
  readonly label: string;
  readonly keys: KeySource;
  /** The header `typ` its tokens must carry (as given to createVerifier); null: not checked. */
  readonly typ: string | null;
  /** Claims required beyond iss, aud, exp, iat. */
  readonly requiredClaims: readonly string[];
  /** The audiences a trusted issuer's tokens are accepted for; null for our own issuer. */
  readonly audiences: readonly string[] | null;
}

export interface ExplainTokenOptions {
  readonly issuers: readonly ExplainedIssuer[];
  /** The audience the token must carry (the route's). */
  readonly audience: string;
  /** Names where the audience came from in a detail: the route id. */
  readonly routeId: string;
  readonly leewaySeconds: number;
  /** Milliseconds since the epoch. */
  readonly nowMs: number;
  readonly isRevoked: RevocationCheck;
  /** Default DEFAULT_MAX_TOKEN_LENGTH, as the gateway's verifier. */
  readonly maxTokenLength?: number;
}

/** The checks, in the order the gateway runs them, with the rules of DESIGN.md "Verification" each one is. */
export const TOKEN_CHECKS = {
  form: { rules: [1], summary: 'bounded size, three parts, the header a canonical base64url JSON object' },
  header: { rules: [2, 3], summary: 'alg present and not none, no embedded or remote key (jku, x5u, jwk, x5c), no unknown crit, kid and typ well formed' },
  payload: { rules: [1], summary: 'payload and signature canonical base64url, the payload a JSON object' },
  issuer: { rules: [5], summary: 'iss is this gatehouse or a trusted issuer (it chooses the keys)' },
  kid: { rules: [3], summary: 'kid names a trusted key of that issuer' },
  alg: { rules: [2], summary: 'the header alg is the key\'s own algorithm' },
  signature: { rules: [3], summary: 'the signature verifies with that key' },
  typ: { rules: [4], summary: 'typ is at+jwt (or what the trust entry says)' },
  claims: { rules: [5], summary: 'iss, aud, exp, iat and the issuer\'s required claims present, each of the right type' },
  audience: { rules: [5], summary: 'aud contains the route\'s audience' },
  time: { rules: [5], summary: 'exp, nbf and iat with the leeway' },
  revocation: { rules: [6], summary: 'not revoked: token (jti), family (sid), subject, key' },
  'trusted-for': { rules: [5], summary: 'a trusted issuer is trusted for the route\'s audience' },
} as const;

export type TokenCheckId = keyof typeof TOKEN_CHECKS;
export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface TokenCheck {
  readonly check: TokenCheckId;
  /** The rules of DESIGN.md "Verification" it is. */
  readonly rules: readonly number[];
  readonly status: CheckStatus;
  /** The refusal reason when it failed; null otherwise. */
  readonly reason: ReasonCode | null;
  /** What was found; for a skip, why it could not run. */
  readonly detail: string;
}

export interface TokenExplanation {
  readonly checks: readonly TokenCheck[];
  /** The first failure, in the gateway's order: its answer. Null when every check passed. */
  readonly refusal: { readonly reason: ReasonCode; readonly detail: string } | null;
  readonly header?: JoseHeader;
  /** As decoded: the issuer's words only when signatureVerified. */
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly signatureVerified: boolean;
  /** The issuer its `iss` names, when trusted. */
  readonly issuer?: ExplainedIssuer;
  readonly key?: TrustedKey;
}

const CHECK_ORDER = Object.keys(TOKEN_CHECKS) as TokenCheckId[];

export function explainAccessToken(token: string, options: ExplainTokenOptions): TokenExplanation {
  const results = new Map<TokenCheckId, TokenCheck>();
  const record = (check: TokenCheckId, status: CheckStatus, reason: ReasonCode | null, detail: string) =>
    void results.set(check, { check, rules: TOKEN_CHECKS[check].rules, status, reason, detail });
  const pass = (check: TokenCheckId, detail: string) => record(check, 'pass', null, detail);
  const fail = (check: TokenCheckId, reason: ReasonCode, detail: string) => record(check, 'fail', reason, detail);
  const skip = (check: TokenCheckId, why: string) => record(check, 'skip', null, why);
  /** Every check not decided yet is skipped, for `why`. */
  const skipRest = (why: string) => {
    for (const check of CHECK_ORDER) if (!results.has(check)) skip(check, why);
  };
  const finish = (facts: Omit<TokenExplanation, 'checks' | 'refusal'>): TokenExplanation => {
    const checks = CHECK_ORDER.map((check) => results.get(check)!);
    const first = checks.find((check) => check.status === 'fail');
    return { checks, refusal: first === undefined ? null : { reason: first.reason!, detail: first.detail }, ...facts };
  };

  // Rules 1–3 that need no key: the parser reports the first of them that fails.
  const maxTokenLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  const jws = parseCompactJws(token, { maxTokenLength });
  if (!jws.ok) {
    if (jws.header === undefined) {
      fail('form', jws.reason, jws.detail);
      skipRest('the token did not parse');
      return finish({ signatureVerified: false });
    }
    pass('form', formDetail(token, maxTokenLength));
    if (jws.reason === 'malformed_token') {
      // The header passed; the payload or signature part did not.
      pass('header', headerDetail(jws.header));
      fail('payload', jws.reason, jws.detail);
    } else {
      fail('header', jws.reason, jws.detail);
      skip('payload', 'not examined: the header was refused first');
    }
    skipRest('the token did not parse');
    return finish({ header: jws.header, signatureVerified: false });
  }
  const { header } = jws;
  pass('form', formDetail(token, maxTokenLength));
  pass('header', headerDetail(header));
  const payload = parseJsonObject(jws.payload);
  if (!payload.ok) {
    fail('payload', 'malformed_payload', `payload: ${payload.fault}`);
    skipRest('the token did not parse');
    return finish({ header, signatureVerified: false });
  }
  pass('payload', 'payload and signature are canonical base64url; the payload is a JSON object');
  const claims = payload.value;

  // The issuer chooses the key set, so it comes before the key (as in the verifier).
  const iss = Object.hasOwn(claims, 'iss') ? claims.iss : undefined;
  const issuer = typeof iss === 'string' ? options.issuers.find((candidate) => candidate.issuer === iss) : undefined;
  if (issuer === undefined) {
    fail('issuer', 'wrong_issuer', iss === undefined ? 'token has no "iss"' : `"iss" ${JSON.stringify(iss)} is not a trusted issuer`);
    skipRest('claims unverified: no trusted issuer, so no key to check the signature with');
    return finish({ header, claims, signatureVerified: false });
  }
  pass('issuer', `${JSON.stringify(issuer.issuer)} is ${issuer.label === OWN_ISSUER_LABEL ? OWN_ISSUER_LABEL : `trusted (${issuer.label})`}`);

  const key = header.kid === undefined ? undefined : issuer.keys.getKey(header.kid);
  if (key === undefined) {
    if (header.kid === undefined) fail('kid', 'unknown_kid', 'header has no "kid"');
    else if (issuer.keys.available) fail('kid', 'unknown_kid', `issuer ${issuer.issuer} has no trusted key with kid ${JSON.stringify(header.kid)}`);
    else fail('kid', 'keys_unavailable', `keys of issuer ${issuer.issuer} are not available`);
    skipRest('claims unverified: no trusted key to check the signature with');
    return finish({ header, claims, signatureVerified: false, issuer });
  }
  pass('kid', `${JSON.stringify(key.kid)} is a trusted key of ${issuer.label} (${key.alg})`);

  const refused = checkSignature(jws, key);
  if (refused?.reason === 'alg_not_allowed') {
    fail('alg', refused.reason, refused.detail);
    skipRest('claims unverified: the algorithm is not the key\'s, so the signature was not checked');
    return finish({ header, claims, signatureVerified: false, issuer, key });
  }
  pass('alg', `header "alg" ${header.alg} is the algorithm of key ${key.kid}`);
  if (refused !== undefined) {
    fail('signature', refused.reason, refused.detail);
    skipRest('claims unverified: the signature did not verify');
    return finish({ header, claims, signatureVerified: false, issuer, key });
  }
  pass('signature', `verifies with key ${key.kid}`);

  // From here on the claims are the issuer's: every check runs, whatever failed before it.
  if (issuer.typ === null) {
    skip('typ', `not checked for ${issuer.label} (typ: false)`);
  } else {
    const expected = normalizeTyp(issuer.typ);
    if (header.typ === undefined) fail('typ', 'wrong_typ', `header has no "typ"; expected "${expected}"`);
    else if (header.typ !== expected && normalizeTyp(header.typ) !== expected) fail('typ', 'wrong_typ', `"typ" ${JSON.stringify(header.typ)} is not "${expected}"`);
    else pass('typ', `${JSON.stringify(header.typ)} is "${expected}"`);
  }

  const rules: ClaimRules = { issuer: issuer.issuer, leewaySeconds: options.leewaySeconds, requiredClaims: issuer.requiredClaims };
  const shapeFault = checkClaimShapes(claims, rules);
  if (shapeFault === undefined) {
    pass('claims', `${['iss', 'aud', 'exp', 'iat', ...issuer.requiredClaims].join(', ')} present, each of the right type`);
    const nowSeconds = options.nowMs / 1000;
    const fault = checkClaimsNow(claims, rules, options.audience, nowSeconds);
    if (fault?.reason === 'wrong_audience') fail('audience', fault.reason, fault.detail);
    else pass('audience', `"aud" ${JSON.stringify(claims.aud)} contains ${JSON.stringify(options.audience)}`);
    // checkClaimsNow stops at the audience; asked for the token's own audience it goes on to the times.
    const timeFault = fault?.reason === 'wrong_audience' ? checkClaimsNow(claims, rules, claims.aud as string | readonly string[], nowSeconds) : fault;
    if (timeFault !== undefined) fail('time', timeFault.reason, timeFault.detail);
    else pass('time', timeDetail(claims, options));
    const list = options.isRevoked(claims as AccessTokenClaims, key.kid, issuer.issuer);
    if (list !== undefined) fail('revocation', 'token_revoked', `revoked: ${list} list`);
    else pass('revocation', `on none of the ${REVOCATION_LISTS.join(', ')} lists`);
  } else {
    fail('claims', shapeFault.reason, shapeFault.detail);
    for (const check of ['audience', 'time', 'revocation'] as const) skip(check, 'not checked: the claims are malformed (see claims)');
  }

  // The route's part, after the verifier's: a trusted issuer vouches only for its own audiences.
  if (issuer.audiences === null) pass('trusted-for', 'this gatehouse\'s own tokens: any audience (checked when they are minted)');
  else if (issuer.audiences.includes(options.audience)) pass('trusted-for', `${issuer.label} is trusted for ${JSON.stringify(issuer.audiences)}`);
  else fail('trusted-for', 'wrong_audience', `issuer ${issuer.issuer} is trusted for ${JSON.stringify(issuer.audiences)}, not for the audience ${JSON.stringify(options.audience)} of route ${options.routeId}`);

  return finish({ header, claims, signatureVerified: true, issuer, key });
}

/** The label of our own issuer in explanations. */
export const OWN_ISSUER_LABEL = 'this gatehouse';

const REVOCATION_LISTS: readonly RevocationList[] = ['token', 'family', 'subject', 'key'];

function formDetail(token: string, max: number): string {
  return `${token.length} characters (limit ${max}); three parts; the header is a JSON object`;
}

function headerDetail(header: JoseHeader): string {
  return `alg ${JSON.stringify(header.alg)}; no jku, x5u, jwk or x5c; no crit`;
}

function timeDetail(claims: Readonly<Record<string, unknown>>, options: ExplainTokenOptions): string {
  const at = (name: string) => (Object.hasOwn(claims, name) && typeof claims[name] === 'number' ? (claims[name] as number) : undefined);
  const parts = [`expires ${describeInstant(at('exp')!, options.nowMs)}`];
  const nbf = at('nbf');
  if (nbf !== undefined) parts.push(`not before ${describeInstant(nbf, options.nowMs)}`);
  parts.push(`issued ${describeInstant(at('iat')!, options.nowMs)}`, `leeway ${options.leewaySeconds}s`);
  return parts.join('; ');
}

/** `2030-01-01T00:00:00Z (in 4m59s)`, `… (2m ago)`. */
export function describeInstant(seconds: number, nowMs: number): string {
  const date = new Date(seconds * 1000);
  // A NumericDate only has to be finite: 1e20 is one, and no Date.
  if (Number.isNaN(date.getTime())) return String(seconds);
  const iso = date.toISOString().replace('.000Z', 'Z');
  const delta = Math.round(seconds - nowMs / 1000);
  if (delta === 0) return `${iso} (now)`;
  return delta > 0 ? `${iso} (in ${formatDuration(delta)})` : `${iso} (${formatDuration(-delta)} ago)`;
}
