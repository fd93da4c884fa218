import type { FastifyReply } from 'fastify';
import { SERVER_ERROR_CODES, type ServerErrorCode } from '../errors.ts';

/**
 * The admin API's own refusals: `{ "error": code, "message": text }` with this status. Stable
 * codes; docs/reference/errors.md ("Console API errors") lists each, and a test fails when one is
 * missing there.
 */
export const CONSOLE_API_ERRORS = {
  unauthenticated: { status: 401, meaning: 'No console session (absent, expired, revoked, altered) and no usable bearer token. The console goes to /console/login.' },
  admin_required: { status: 403, meaning: 'Authenticated, but without the admin role (a bearer token of this issuer for the gatehouse-console audience).' },
  csrf_token_invalid: { status: 403, meaning: 'A POST authenticated by the session cookie without the X-CSRF-Token header equal to the session\'s token.' },
  origin_mismatch: { status: 403, meaning: 'A POST authenticated by the session cookie whose Origin is not the console\'s own (missing, null or another origin).' },
  invalid_request: { status: 400, meaning: 'The request is malformed: not JSON, a field missing or of the wrong type, an unknown route, a client definition the configuration would refuse.' },
  confirmation_mismatch: { status: 400, meaning: 'An emergency key revocation whose body `confirm` is not the kid being revoked.' },
  not_found: { status: 404, meaning: 'No such API endpoint, or no session with the given id.' },
  conflict: { status: 409, meaning: 'The change conflicts with the current state: a key rotation while a successor is already pending.' },
  server_error: { status: 500, meaning: 'The request failed on the server; the server log has the error.' },
} as const;

export type ConsoleApiErrorCode = keyof typeof CONSOLE_API_ERRORS;

/**
 * Server errors (src/errors.ts) the admin API passes on with their own code and this status: the
 * refusals of the operations it shares with the CLI (users, keys, the store).
 */
export const CONSOLE_SERVER_ERROR_STATUS = {
  username_invalid: 400,
  password_too_short: 400,
  password_too_long: 400,
  user_not_found: 404,
  key_not_found: 404,
  store_conflict: 409,
  store_unavailable: 503,
} as const satisfies Partial<Record<ServerErrorCode, number>>;

export type ConsoleServerErrorCode = keyof typeof CONSOLE_SERVER_ERROR_STATUS;

/** A refusal a handler throws; the API's error handler answers it. */
export class ConsoleApiError extends Error {
  readonly code: ConsoleApiErrorCode;
  constructor(code: ConsoleApiErrorCode, message: string) {
    super(message);
    this.name = 'ConsoleApiError';
    this.code = code;
  }
}

/** Answers `{ error, message }` with the code's status; never cached. */
export function sendConsoleError(reply: FastifyReply, code: ConsoleApiErrorCode | ConsoleServerErrorCode, message: string): FastifyReply {
  const status = Object.hasOwn(CONSOLE_API_ERRORS, code) ? CONSOLE_API_ERRORS[code as ConsoleApiErrorCode].status : CONSOLE_SERVER_ERROR_STATUS[code as ConsoleServerErrorCode];
  if (code === 'store_unavailable') reply.header('retry-after', '1');
  return reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send({ error: code, message });
}

/** The message of a passed-on server error for which the thrown message could say too much (a store outage). */
export function publicServerErrorMessage(code: ConsoleServerErrorCode, thrown: string): string {
  return code === 'store_unavailable' ? SERVER_ERROR_CODES.store_unavailable : thrown;
}
