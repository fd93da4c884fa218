/**
 * Protocol errors of the issuer's endpoints, with the exact codes RFC 6749 §5.2 / §4.1.2.1,
 * RFC 6750 §3.1, RFC 7009, RFC 8707 and OpenID Connect Core §3.1.2.6 spell: the one registry of
 * OAuth codes, each listed in docs/reference/errors.md ("OAuth protocol errors", a test checks).
 * The status is the one a JSON error response carries; authorization errors travel in the redirect
 * instead. The description goes on the wire, so it never carries internals; what the operator
 * needs goes to the log and the security events instead.
 */
export const OAUTH_ERROR_STATUS = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  unsupported_response_type: 400,
  access_denied: 403,
  invalid_token: 401,
  insufficient_scope: 403,
  login_required: 400,
  request_not_supported: 400,
  request_uri_not_supported: 400,
  unsupported_token_type: 400,
  server_error: 500,
  temporarily_unavailable: 503,
} as const;

export type OAuthErrorCode = keyof typeof OAUTH_ERROR_STATUS;

export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly status: number;
  /** Extra response headers, e.g. WWW-Authenticate for invalid_client with Basic. */
  readonly headers: Readonly<Record<string, string>>;
  constructor(error: OAuthErrorCode, description: string, options: { status?: number; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(description, { cause: options.cause });
    this.name = 'OAuthError';
    this.error = error;
    this.status = options.status ?? OAUTH_ERROR_STATUS[error];
    this.headers = options.headers ?? {};
  }

  /** The RFC 6749 §5.2 body. */
  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.message };
  }
}

/** Seconds a client is asked to wait (Retry-After) before trying again when the issuer cannot reach its store. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * The answer when the store cannot be reached (store_unavailable): 503 temporarily_unavailable
 * (RFC 6749 §4.1.2.1 names it for the authorization endpoint; the JSON endpoints use it too), with
 * Retry-After. Nothing about the cause goes on the wire.
 */
export function temporarilyUnavailable(): OAuthError {
  return new OAuthError('temporarily_unavailable', 'the service is temporarily unavailable; try again shortly', {
    headers: { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) },
  });
}
