import type { Kysely, Selectable } from 'kysely';
import type { AuthorizationCodesTable, Database } from '../schema.ts';
import { conflictAs } from '../unique-violation.ts';

/** An issued authorization code (OAuth 2.1 §4.1), stored only as a hash of the code. */
export interface AuthorizationCodeRecord {
  readonly codeHash: string;
  readonly clientId: string;
  readonly userId: string;
  readonly redirectUri: string;
  readonly scope: string;
  /** The audience asked for with `resource` (RFC 8707), if any. */
  readonly audience: string | null;
  /** PKCE S256 challenge (the only method OAuth 2.1 leaves us). */
  readonly codeChallenge: string;
  readonly nonce: string | null;
  /** When the person signed in (epoch ms), for the ID token's auth_time. */
  readonly authTime: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly consumedAt: number | null;
}

export type NewAuthorizationCode = Omit<AuthorizationCodeRecord, 'consumedAt'>;

/**
 * `replayed`: the code had been redeemed before. OAuth 2.1 §4.1.3 asks to refuse it and to revoke
 * what the first redemption issued (RefreshTokenRepository.revokeFamiliesOfAuthorizationCode).
 */
export type CodeConsumption =
  | { readonly status: 'consumed'; readonly code: AuthorizationCodeRecord }
  | { readonly status: 'replayed'; readonly code: AuthorizationCodeRecord }
  | { readonly status: 'expired' }
  | { readonly status: 'unknown' };

export class AuthorizationCodeRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(code: NewAuthorizationCode): Promise<void> {
    await conflictAs('This authorization code hash already exists.', () =>
      this.#db
        .insertInto('authorization_codes')
        .values({
          code_hash: code.codeHash,
          client_id: code.clientId,
          user_id: code.userId,
          redirect_uri: code.redirectUri,
          scope: code.scope,
          audience: code.audience,
          code_challenge: code.codeChallenge,
          nonce: code.nonce,
          auth_time: code.authTime,
          created_at: code.createdAt,
          expires_at: code.expiresAt,
          consumed_at: null,
        })
        .execute(),
    );
  }

  /**
   * Redeems a code at most once, whatever the concurrency: one conditional UPDATE marks it
   * consumed only if it is unconsumed and unexpired. Concurrent redemptions queue on the row lock
   * (PostgreSQL) or the write lock (SQLite) and re-check the condition, so exactly one wins.
   */
  async consume(codeHash: string, now: number): Promise<CodeConsumption> {
    const consumed = await this.#db
      .updateTable('authorization_codes')
      .set({ consumed_at: now })
      .where('code_hash', '=', codeHash)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    if (consumed) return { status: 'consumed', code: toCode(consumed) };
    const existing = await this.#db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
    if (!existing) return { status: 'unknown' };
    return existing.consumed_at === null ? { status: 'expired' } : { status: 'replayed', code: toCode(existing) };
  }

  /** Drops codes expired before `now` (kept until then so that a replay is recognised). */
  async deleteExpired(now: number): Promise<number> {
    const result = await this.#db.deleteFrom('authorization_codes').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toCode(row: Selectable<AuthorizationCodesTable>): AuthorizationCodeRecord {
  return {
    codeHash: row.code_hash,
    clientId: row.client_id,
    userId: row.user_id,
    redirectUri: row.redirect_uri,
    scope: row.scope,
    audience: row.audience,
    codeChallenge: row.code_challenge,
    nonce: row.nonce,
    authTime: row.auth_time,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
  };
}
