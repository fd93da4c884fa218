/**
 * The one registry of token refusal reasons. Codes are stable: they go to the audit log, metrics,
 * `gatehouse token explain` and the console. Tests assert codes, never messages, and a test fails
 * when a code here has no test that produces it or is missing from docs/reference/errors.md.
 */
export const TOKEN_REASONS = {
  token_missing: 'No token was presented.',
  token_too_large: 'The token is longer than the configured maximum (default 8 KiB); it was not parsed.',
  malformed_token: 'Not a compact JWS: not exactly three parts, or a part is not canonical base64url.',
  malformed_header: 'The protected header is not a JSON object (or has duplicate members, bad UTF-8, or is nested too deep).',
  malformed_payload: 'The payload is not a JSON object (or has duplicate members, bad UTF-8, or is nested too deep).',
  alg_not_allowed: 'The header `alg` is missing, `none`, unsupported, or differs from the trusted key\'s algorithm.',
  unknown_kid: 'The header `kid` is missing or does not name a trusted key of the issuer.',
  embedded_key_not_allowed: 'The header carries `jku`, `x5u`, `jwk` or `x5c`; keys are never taken from a token.',
  unsupported_crit: 'The header `crit` is malformed or names an extension this verifier does not understand.',
  wrong_typ: 'The header `typ` is not the one expected (access tokens must be `at+jwt`).',
  bad_signature: 'The signature does not verify with the trusted key.',
  wrong_issuer: 'The `iss` claim is missing or is not a trusted issuer.',
  wrong_audience: 'The `aud` claim does not contain the expected audience.',
  token_expired: 'The `exp` claim is in the past (beyond the leeway).',
  token_not_yet_valid: 'The `nbf` claim is in the future (beyond the leeway).',
  issued_in_future: 'The `iat` claim is in the future (beyond the leeway).',
  missing_claim: 'A required claim is absent.',
  invalid_claim: 'A claim has the wrong type or shape (for example a string `exp` or a numeric `aud`).',
  token_revoked: 'The token, its session family, its subject or its signing key has been revoked.',
  keys_unavailable: 'The issuer\'s keys could not be loaded (JWKS unreachable and nothing cached).',
} as const;

export type ReasonCode = keyof typeof TOKEN_REASONS;

export const REASON_CODES = Object.keys(TOKEN_REASONS) as ReasonCode[];
