import { ServerError } from '../errors.ts';

/** DESIGN.md "Tokens": access tokens live 5 minutes by default; no configuration may exceed 1 hour. */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 300;
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 3600;

/** A lifetime must be a whole, positive number of seconds within `max`. Throws token_ttl_invalid. */
export function checkAccessTokenTtl(ttlSeconds: number, maxSeconds: number, what: string): number {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > maxSeconds) {
    throw new ServerError('token_ttl_invalid', `${what} is ${String(ttlSeconds)}; it must be a whole number of seconds in 1..${maxSeconds}`);
  }
  return ttlSeconds;
}
