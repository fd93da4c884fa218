/** Socket errors: the server is down, restarting, unreachable, or cut the connection. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs that mean the session is gone or cannot start, rather than that a statement was wrong
 * (PostgreSQL documentation, Appendix A): class 08 (connection exception), 57P01 admin_shutdown
 * (a fast shutdown, pg_terminate_backend), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting
 * up or shutting down), 53300 too_many_connections, 25P03 idle_in_transaction_session_timeout.
 */
const SERVER_GONE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '25P03']);

/**
 * What pg says without a code: the socket closed under a query, a client that already failed is
 * used again, a pool wait or a connection attempt ran past connectionTimeoutMillis.
 */
const DRIVER_MESSAGES = [/^Connection terminated/, /is not queryable$/, /^timeout exceeded when trying to connect$/, /^Connection terminated due to connection timeout$/];

/** Whether a pg error means PostgreSQL could not be reached or went away mid-session. */
export function isPostgresConnectionFailure(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.length > 0 && error.errors.every(isPostgresConnectionFailure);
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || SERVER_GONE_STATES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  return DRIVER_MESSAGES.some((pattern) => pattern.test(error.message));
}
