/** The realm of every challenge the gateway sends. */
export const BEARER_REALM = 'gatehouse';

/**
 * Why a request is answered with a challenge (RFC 6750 §3):
 * - `no_credential`: no token at all — 401, and no error code (§3.1: the client may not know
 *   that authentication is needed);
 * - `invalid_token`: a token was presented and refused, whatever the reason code — 401;
 * - `insufficient_scope`: authenticated, but policy does not allow the request — 403.
 */
export type BearerProblem = 'no_credential' | 'invalid_token' | 'insufficient_scope';

export interface BearerChallenge {
  readonly status: 401 | 403;
  /** The WWW-Authenticate value. */
  readonly wwwAuthenticate: string;
}

// Fixed strings: no error_description and no scope attribute, because the reason code and the
// rule that denied are internals (DESIGN.md "Verification" 7); they go to the audit log.
const CHALLENGES: Readonly<Record<BearerProblem, BearerChallenge>> = Object.freeze({
  no_credential: Object.freeze({ status: 401, wwwAuthenticate: `Bearer realm="${BEARER_REALM}"` }),
  invalid_token: Object.freeze({ status: 401, wwwAuthenticate: `Bearer realm="${BEARER_REALM}", error="invalid_token"` }),
  insufficient_scope: Object.freeze({ status: 403, wwwAuthenticate: `Bearer realm="${BEARER_REALM}", error="insufficient_scope"` }),
});

/** The status and WWW-Authenticate value for a refusal. */
export function bearerChallenge(problem: BearerProblem): BearerChallenge {
  return CHALLENGES[problem];
}
