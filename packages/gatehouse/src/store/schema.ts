import type { Generated } from 'kysely';

/**
 * The tables as Kysely sees them (snake_case, one interface per table), written by the migrations
 * in ./migrations. Conventions that hold on both SQLite and PostgreSQL:
 * - times are epoch milliseconds in 64-bit integer columns (PostgreSQL int8 is parsed to a number);
 * - booleans are integers 0/1 (SQLite has no boolean type and better-sqlite3 cannot bind one);
 * - lists and objects are JSON text, encoded and decoded by the repositories.
 * Repositories map rows to camelCase records; nothing outside ./repositories reads these shapes.
 */
export interface Database {
  users: UsersTable;
  clients: ClientsTable;
  signing_keys: SigningKeysTable;
  authorization_codes: AuthorizationCodesTable;
  refresh_token_families: RefreshTokenFamiliesTable;
  refresh_tokens: RefreshTokensTable;
  revocations: RevocationsTable;
  security_events: SecurityEventsTable;
  login_attempts: LoginAttemptsTable;
}

export interface UsersTable {
  id: string;
  /** As entered; shown back to people. */
  username: string;
  /** The unique lookup key: see normalizeUsername. */
  username_key: string;
  password_hash: string;
  roles: string;
  disabled: number;
  created_at: number;
  updated_at: number;
  password_changed_at: number;
}

export interface ClientsTable {
  id: string;
  secret_hash: string | null;
  public: number;
  grants: string;
  scopes: string;
  audiences: string;
  redirect_uris: string;
  roles: string;
  created_at: number;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  state: string;
  public_jwk: string;
  sealed_private_key: string;
  created_at: number;
  activates_at: number;
  retiring_at: number | null;
  retire_after: number | null;
  revoked_at: number | null;
}

export interface AuthorizationCodesTable {
  code_hash: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  scope: string;
  audience: string | null;
  code_challenge: string;
  nonce: string | null;
  auth_time: number;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface RefreshTokenFamiliesTable {
  id: string;
  user_id: string;
  client_id: string;
  scope: string;
  audience: string | null;
  auth_time: number | null;
  authorization_code_hash: string | null;
  created_at: number;
  absolute_expires_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  family_id: string;
  created_at: number;
  idle_expires_at: number;
  rotated_at: number | null;
  successor_hash: string | null;
}

export interface RevocationsTable {
  id: Generated<number>;
  kind: string;
  value: string;
  revoked_at: number;
  expires_at: number | null;
  reason: string | null;
}

export interface SecurityEventsTable {
  id: Generated<number>;
  at: number;
  type: string;
  severity: string;
  subject: string | null;
  client_id: string | null;
  ip: string | null;
  details: string;
}

export interface LoginAttemptsTable {
  key: string;
  window_start: number;
  failures: number;
}
