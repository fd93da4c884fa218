import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, RevocationsTable } from '../schema.ts';
import type { StoreDialect } from '../store-url.ts';

/** What a revocation names: a token (its jti), a session family (sid), a subject (sub), a key (kid). */
export type RevocationKind = 'token' | 'family' | 'subject' | 'key';

export interface Revocation {
  /** Increases with every entry and is never reused: replicas follow the list by "after id N". */
  readonly id: number;
  readonly kind: RevocationKind;
  readonly value: string;
  readonly revokedAt: number;
  /** When the entry can be dropped (for a token, its exp); null keeps it. */
  readonly expiresAt: number | null;
  readonly reason: string | null;
}

export interface NewRevocation {
  readonly kind: RevocationKind;
  readonly value: string;
  readonly revokedAt: number;
  readonly expiresAt?: number | null;
  readonly reason?: string | null;
}

/** Entries, and the cursor to pass to changesSince next. */
export interface RevocationBatch {
  readonly entries: Revocation[];
  readonly cursor: number;
}

/** Serialises additions on PostgreSQL (see add); an arbitrary constant, ours alone in the database. */
const REVOCATION_APPEND_LOCK = 7_314_598_211_402_719;

export class RevocationRepository {
  readonly #db: Kysely<Database>;
  readonly #dialect: StoreDialect;

  constructor(db: Kysely<Database>, dialect: StoreDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  /**
   * Appends an entry. Ids must become visible in increasing order, or a replica that has read id
   * 11 would never see an id 10 committed just after. PostgreSQL hands out identity values when
   * rows are inserted, not when they commit, so additions take a transaction-scoped advisory lock
   * and commit one at a time (revocations are rare; the wait is nothing). SQLite has one writer.
   * Revoking the same thing again appends again: the later entry is a change replicas must see.
   */
  async add(revocation: NewRevocation): Promise<Revocation> {
    return this.#db.transaction().execute(async (trx) => {
      if (this.#dialect === 'postgres') await sql`select pg_advisory_xact_lock(${sql.lit(REVOCATION_APPEND_LOCK)})`.execute(trx);
      const row = await trx
        .insertInto('revocations')
        .values({
          kind: revocation.kind,
          value: revocation.value,
          revoked_at: revocation.revokedAt,
          expires_at: revocation.expiresAt ?? null,
          reason: revocation.reason ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRevocation(row);
    });
  }

  /**
   * Every entry still in force at `now`, to load into a verifier, and the cursor to follow changes
   * from. The cursor is read first: an entry added in between then comes twice (in this list and
   * in changesSince), never not at all, and adding an entry twice to a verifier is harmless.
   */
  async listActive(now: number): Promise<RevocationBatch> {
    const cursor = await this.latestId();
    const rows = await this.#db
      .selectFrom('revocations')
      .selectAll()
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('id')
      .execute();
    return { entries: rows.map(toRevocation), cursor };
  }

  /** Entries added after `cursor`, oldest first, at most `limit` (default 1000) at a time. */
  async changesSince(cursor: number, limit = 1000): Promise<RevocationBatch> {
    const rows = await this.#db.selectFrom('revocations').selectAll().where('id', '>', cursor).orderBy('id').limit(limit).execute();
    const entries = rows.map(toRevocation);
    return { entries, cursor: entries.at(-1)?.id ?? cursor };
  }

  /** The id of the newest entry, 0 when there is none. */
  async latestId(): Promise<number> {
    const row = await this.#db.selectFrom('revocations').select((eb) => eb.fn.max('id').as('latest')).executeTakeFirst();
    return Number(row?.latest ?? 0);
  }

  /** Drops entries whose expiry has passed; returns how many. */
  async deleteExpired(now: number): Promise<number> {
    const result = await this.#db.deleteFrom('revocations').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toRevocation(row: Selectable<RevocationsTable>): Revocation {
  return {
    id: row.id,
    kind: row.kind as RevocationKind,
    value: row.value,
    revokedAt: row.revoked_at,
    expiresAt: row.expires_at,
    reason: row.reason,
  };
}
