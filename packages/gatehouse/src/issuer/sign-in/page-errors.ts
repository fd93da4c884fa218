/**
 * What the issuer's HTML pages (sign-in, errors, sign-out) can say went wrong: a stable code,
 * which the page carries as `data-error-code` on <main> for tests and tooling, and the sentence
 * a person reads. Neither says more than the person may know: a wrong password, an unknown user
 * and a disabled account are one code. Each is listed in docs/reference/errors.md ("Sign-in page
 * errors"); a test fails when one is missing there.
 */
export const PAGE_ERRORS = {
  invalid_client: 'The application that sent you here is not registered with this server.',
  invalid_redirect_uri: 'The application that sent you here gave a return address that is not registered for it.',
  transaction_invalid: 'This sign-in link is not valid. Go back to the application and start again.',
  transaction_expired: 'This sign-in form has expired. Go back to the application and start again.',
  csrf_failed: 'The form could not be verified. Reload the page and try again.',
  invalid_credentials: 'The username or password is incorrect.',
  signin_throttled: 'Too many attempts. Wait a moment before trying again.',
  invalid_id_token_hint: 'The sign-out request is not valid.',
  temporarily_unavailable: 'The service is temporarily unavailable. Try again in a moment.',
} as const;

export type PageErrorCode = keyof typeof PAGE_ERRORS;
