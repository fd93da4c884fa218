import { bearerChallenge, type BearerProblem } from '../authn/index.ts';

/**
 * The wire side of every refusal the pipeline decides: a status, fixed headers and a fixed generic
 * body, built once. The precise reason never goes on the wire (DESIGN.md "Verification" 7); it
 * goes to the audit line.
 */
export interface RefusalResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

function refusal(status: number, error: string, extra: Readonly<Record<string, string>> = {}): RefusalResponse {
  return Object.freeze({
    status,
    headers: Object.freeze({ 'content-type': 'application/json', 'cache-control': 'no-store', ...extra }),
    body: Buffer.from(JSON.stringify({ error })),
  });
}

function challenge(problem: BearerProblem, error: string): RefusalResponse {
  const { status, wwwAuthenticate } = bearerChallenge(problem);
  return refusal(status, error, { 'www-authenticate': wwwAuthenticate });
}

export const REFUSALS = Object.freeze({
  /** bad_host, bad_path. */
  badRequest: refusal(400, 'bad_request'),
  /** no_route, method_not_allowed: one answer, so the route table is not probed through it. */
  notFound: refusal(404, 'not_found'),
  /** A cookie-authenticated, state-changing request from another origin. */
  forbidden: refusal(403, 'forbidden'),
  /** No credential and policy does not admit anonymous requests. */
  unauthenticated: challenge('no_credential', 'unauthenticated'),
  /** A credential was presented and refused, whatever the reason code. */
  invalidToken: challenge('invalid_token', 'invalid_token'),
  /** Authenticated, and policy does not allow the request. */
  insufficientScope: challenge('insufficient_scope', 'insufficient_scope'),
  /** Allowed, but the revocation lists are too old to trust (fail closed). */
  unavailable: refusal(503, 'temporarily_unavailable', { 'retry-after': '5' }),
});
