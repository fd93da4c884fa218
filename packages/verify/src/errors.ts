/**
 * Errors that are thrown (configuration, key material, token requests), as opposed to token
 * refusals, which are returned as results with a ReasonCode. Every code is documented in
 * docs/reference/errors.md.
 */
export const ERROR_CODES = {
  key_rejected: 'A JWK was refused on import (weak, malformed, wrong use or algorithm, private material in a public set).',
  keyset_rejected: 'A JWK Set was refused as a whole (not a set, duplicate `kid`, mixed symmetric and asymmetric keys).',
  jwks_fetch_failed: 'A remote JWKS could not be fetched or parsed (network error, timeout, status, size, JSON).',
  invalid_option: 'A verifier or JWKS client option is invalid.',
  token_request_failed: 'A client-credentials token request failed (network error, timeout, or an error answer: carries the HTTP status and OAuth error).',
  token_response_invalid: 'A token endpoint answered 200 with something that is not a usable token response.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class GatehouseError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatehouseError';
    this.code = code;
  }
}
