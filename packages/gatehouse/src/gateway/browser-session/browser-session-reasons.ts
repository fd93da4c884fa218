/**
 * Reasons of the decision lines the gateway's own browser-session endpoints write (session-paths.ts).
 * Stable codes, part of GATEWAY_REASONS; docs/reference/errors.md lists each with its status.
 * On the wire every failure is the same generic 400 page: the reason is for the audit log only.
 */
export const BROWSER_SESSION_REASONS = {
  login_started: 'No usable refresh token at /.gatehouse/session/refresh: a sign-in was started (sealed login cookie set, 302 to the issuer\'s authorization endpoint).',
  refresh_rejected: 'The refresh cookie was refused by the refresh grant (expired, revoked, already used — a reuse revokes its whole family —, or repeated): it is cleared and a sign-in is started, as for login_started.',
  refresh_unbound: 'The refresh cookie does not carry this browser\'s binding (the __Host-gatehouse-binding cookie): planted by another host (cookie tossing, login CSRF) or left from an older session. It is cleared, never sent to the grant, and a sign-in is started.',
  session_refreshed: 'Silent renewal: the refresh token was rotated and both cookies were set again (303 to the return path).',
  login_completed: 'The authorization response was accepted and its code redeemed: both cookies set (303 to the return path).',
  logged_out: 'POST /.gatehouse/session/logout with a same-origin Origin: the refresh token\'s family was revoked (its access tokens too), both cookies cleared (303 to the issuer\'s end-session page).',
  session_store_unavailable: 'The store could not be reached while a browser-session endpoint needed it (a code to redeem, a refresh token to rotate, a family to revoke): 503 with Retry-After; nothing was changed.',
  callback_no_transaction: 'The callback came without a login cookie: no sign-in was started in this browser (or it is older than 10 minutes and the cookie is gone).',
  callback_transaction_invalid: 'The login cookie does not open (altered, sealed under another key, sent twice) or was made for another callback URL.',
  callback_transaction_expired: 'The login cookie opened but the sign-in was started more than 10 minutes ago.',
  callback_request_invalid: 'The callback\'s query is unusable: code, state, iss or error repeated, or neither a code nor an error.',
  callback_state_mismatch: 'The callback\'s state is missing or is not the one this browser\'s sign-in sent (CSRF, or a response meant for another sign-in).',
  callback_issuer_mismatch: 'The callback\'s iss is missing or is not this gatehouse\'s issuer (RFC 9207: a mix-up attack, or a response from another issuer).',
  callback_authorization_error: 'The issuer answered the authorization request with an error (access_denied, login_required, …) instead of a code.',
  callback_code_rejected: 'The authorization code grant refused the code (unknown, expired, used before, PKCE verifier or redirect_uri mismatch, user disabled).',
  callback_nonce_mismatch: 'The ID token\'s nonce is not the one this sign-in sent: the tokens just issued are revoked (their family) and no cookie is set.',
} as const;

export type BrowserSessionReason = keyof typeof BROWSER_SESSION_REASONS;
