/**
 * Errors the server throws, with stable codes. Token refusals are not here: they are the
 * ReasonCodes of @gatehouse/verify. Every code is documented in docs/reference/errors.md, and a
 * test fails when one is missing there. Add a code here before using it.
 */
export const SERVER_ERROR_CODES = {
  master_key_missing: 'No master key: set GATEHOUSE_MASTER_KEY or point the configuration at a key file.',
  master_key_invalid: 'The master key is not 32 bytes of base64url, or its key file is unreadable or too open.',
  key_unseal_failed: 'A sealed private key could not be decrypted (wrong master key, or the sealed blob was altered).',
  no_signing_key: 'There is no active signing key.',
  token_ttl_invalid: 'A requested token lifetime is not positive or exceeds the configured maximum (at most 1 hour).',
  config_unreadable: 'The configuration file could not be read.',
  config_invalid: 'The configuration does not match the schema; the message names the file, the path in the document and what was expected.',
  store_unavailable: 'The store (SQLite file or PostgreSQL) cannot be reached.',
  store_migration_failed: 'A schema migration failed; nothing after it was applied.',
  key_not_found: 'No signing key has the given kid.',
  store_url_invalid: 'The store URL is malformed or not sqlite:PATH, sqlite::memory: or postgres://... (or a store option is invalid).',
  store_conflict: 'A record with the same unique key already exists (a username in any letter case, a client id, a kid).',
  password_too_short: 'The password is shorter than 12 characters.',
  password_too_long: 'The password is longer than 1024 characters.',
  username_invalid: 'The username is empty, longer than 256 characters, has spaces at either end, or contains control characters.',
  user_not_found: 'No user has this id.',
  config_restart_required: 'A configuration reload changed a setting that takes effect only on a restart (issuer, listen addresses, store, master key file); the running configuration stays.',
} as const;

export type ServerErrorCode = keyof typeof SERVER_ERROR_CODES;

export class ServerError extends Error {
  readonly code: ServerErrorCode;
  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServerError';
    this.code = code;
  }
}
