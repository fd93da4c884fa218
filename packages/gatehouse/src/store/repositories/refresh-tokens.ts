import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, RefreshTokenFamiliesTable, RefreshTokensTable } from '../schema.ts';
import type { StoreDialect } from '../store-url.ts';
import { conflictAs } from '../unique-violation.ts';

/**
 * A refresh token family: one sign-in of one user at one client, and every refresh token rotated
 * from it. Its id is the `sid` of the access tokens it yields, so revoking it reaches them too.
 */
export interface RefreshFamily {
  readonly id: string;
  readonly userId: string;
  readonly clientId: string;
  readonly scope: string;
  readonly audience: string | null;
  /** When the person signed in (epoch ms), for auth_time in ID tokens issued on refresh. */
  readonly authTime: number | null;
  /** The authorization code it was issued for, to revoke it if that code is replayed. */
  readonly authorizationCodeHash: string | null;
  readonly createdAt: number;
  readonly absoluteExpiresAt: number;
  readonly revokedAt: number | null;
  readonly revokedReason: string | null;
}

/** A family as `sessions list` shows it, with its current (unrotated) refresh token. */
export interface RefreshSession extends RefreshFamily {
  /** When the current refresh token was issued: the last refresh, or the sign-in. */
  readonly lastIssuedAt: number | null;
  readonly idleExpiresAt: number | null;
}

export interface NewRefreshFamily {
  /** Defaults to a random UUID. */
  readonly id?: string;
  readonly userId: string;
  readonly clientId: string;
  readonly scope: string;
  readonly audience?: string | null;
  readonly authTime?: number | null;
  readonly authorizationCodeHash?: string | null;
  /** Hash of the family's first refresh token. */
  readonly tokenHash: string;
  readonly now: number;
  /** Milliseconds a refresh token stays usable without being used. */
  readonly idleTtl: number;
  /** Milliseconds the family lives, however often it is refreshed. */
  readonly absoluteTtl: number;
}

export interface RotateRefreshToken {
  readonly oldHash: string;
  readonly newHash: string;
  readonly now: number;
  readonly idleTtl: number;
}

/**
 * `rotated`: the old token is spent, the new one is live until `idleExpiresAt`.
 * `reused`: the old token had already been rotated, a sign of theft: the family is now revoked
 * (reason `reuse`) and the caller raises refresh.reused.
 * `expired` (idle or absolute), `revoked`, `unknown`: refused, nothing changed.
 */
export type RefreshRotation =
  | { readonly status: 'rotated'; readonly family: RefreshFamily; readonly idleExpiresAt: number }
  | { readonly status: 'reused' | 'expired' | 'revoked'; readonly family: RefreshFamily }
  | { readonly status: 'unknown' };

/** What a refresh token is now, without using it (introspection, RFC 7009 revocation). */
export type RefreshTokenState =
  | { readonly status: 'live' | 'rotated' | 'expired' | 'revoked'; readonly family: RefreshFamily }
  | { readonly status: 'unknown' };

export interface ListFamiliesFilter {
  readonly userId?: string;
  readonly clientId?: string;
  /** Only families usable at this time: not revoked, not past their idle or absolute expiry. */
  readonly activeAt?: number;
  /** Default 100, at most 1000; newest first. */
  readonly limit?: number;
}

type TokenRow = Selectable<RefreshTokensTable>;
type FamilyRow = Selectable<RefreshTokenFamiliesTable>;
type Db = Kysely<Database>;

export class RefreshTokenRepository {
  readonly #db: Db;
  readonly #dialect: StoreDialect;

  constructor(db: Db, dialect: StoreDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  /** Creates a family and its first refresh token, together. */
  async createFamily(input: NewRefreshFamily): Promise<RefreshFamily> {
    const absoluteExpiresAt = input.now + input.absoluteTtl;
    return conflictAs('This refresh family id or token hash already exists.', () =>
      inTransaction(this.#db, async (trx) => {
        const family = await trx
          .insertInto('refresh_token_families')
          .values({
            id: input.id ?? randomUUID(),
            user_id: input.userId,
            client_id: input.clientId,
            scope: input.scope,
            audience: input.audience ?? null,
            auth_time: input.authTime ?? null,
            authorization_code_hash: input.authorizationCodeHash ?? null,
            created_at: input.now,
            absolute_expires_at: absoluteExpiresAt,
            revoked_at: null,
            revoked_reason: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await insertToken(trx, family.id, input.tokenHash, input.now, Math.min(input.now + input.idleTtl, absoluteExpiresAt));
        return toFamily(family);
      }),
    );
  }

  /**
   * Rotates a refresh token, in one transaction. The family row is locked first (SELECT ... FOR
   * UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE serialises all writers), so rotations of one
   * family, and its revocation, happen one after the other: of concurrent uses of one token,
   * exactly one rotates and the others find it rotated and revoke the family. The conditional
   * UPDATE (rotated_at IS NULL) would keep the token single-use even without that lock.
   */
  async rotate(input: RotateRefreshToken): Promise<RefreshRotation> {
    return conflictAs('The new refresh token hash already exists.', () =>
      inTransaction(this.#db, async (trx): Promise<RefreshRotation> => {
        const found = await this.#findWithFamily(trx, input.oldHash, { lock: true });
        if (!found) return { status: 'unknown' };
        const status = classify(found.token, found.family, input.now);
        if (status === 'rotated') return { status: 'reused', family: await revokeFamilyRow(trx, found.family, input.now, 'reuse') };
        if (status !== 'live') return { status, family: toFamily(found.family) };

        const spent = await trx
          .updateTable('refresh_tokens')
          .set({ rotated_at: input.now, successor_hash: input.newHash })
          .where('token_hash', '=', input.oldHash)
          .where('rotated_at', 'is', null)
          .returning('token_hash')
          .executeTakeFirst();
        if (!spent) return { status: 'reused', family: await revokeFamilyRow(trx, found.family, input.now, 'reuse') };
        const idleExpiresAt = Math.min(input.now + input.idleTtl, found.family.absolute_expires_at);
        await insertToken(trx, found.family.id, input.newHash, input.now, idleExpiresAt);
        return { status: 'rotated', family: toFamily(found.family), idleExpiresAt };
      }),
    );
  }

  async inspect(tokenHash: string, now: number): Promise<RefreshTokenState> {
    const found = await this.#findWithFamily(this.#db, tokenHash, { lock: false });
    if (!found) return { status: 'unknown' };
    return { status: classify(found.token, found.family, now), family: toFamily(found.family) };
  }

  async findFamily(id: string): Promise<RefreshFamily | undefined> {
    const row = await this.#db.selectFrom('refresh_token_families').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toFamily(row);
  }

  /** Revokes one family (a revoked one keeps its first time and reason); undefined if unknown. */
  async revokeFamily(id: string, now: number, reason: string): Promise<RefreshFamily | undefined> {
    const row = await this.#db.selectFrom('refresh_token_families').selectAll().where('id', '=', id).executeTakeFirst();
    return row && revokeFamilyRow(this.#db, row, now, reason);
  }

  /** Revokes every live family of a user (sign out everywhere, user disabled); returns their ids. */
  async revokeFamiliesOfUser(userId: string, now: number, reason: string): Promise<string[]> {
    const rows = await this.#db
      .updateTable('refresh_token_families')
      .set({ revoked_at: now, revoked_reason: reason })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  /** Revokes the families issued for an authorization code (the code was replayed); returns their ids. */
  /**
   * Revokes the families a code created that are not revoked yet, and returns the ids of all of
   * them, revoked before or now: a replay handled half-way (the store lost after this update,
   * before the families' access tokens were put on the revocation list) is finished by the next.
   */
  async revokeFamiliesOfAuthorizationCode(codeHash: string, now: number, reason: string): Promise<string[]> {
    await this.#db
      .updateTable('refresh_token_families')
      .set({ revoked_at: now, revoked_reason: reason })
      .where('authorization_code_hash', '=', codeHash)
      .where('revoked_at', 'is', null)
      .execute();
    const rows = await this.#db.selectFrom('refresh_token_families').select('id').where('authorization_code_hash', '=', codeHash).orderBy('id').execute();
    return rows.map((row) => row.id);
  }

  async listFamilies(filter: ListFamiliesFilter = {}): Promise<RefreshSession[]> {
    const { userId, clientId, activeAt } = filter;
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
    const rows = await this.#db
      .selectFrom('refresh_token_families as f')
      // A family has exactly one unrotated token: its first, or the successor of the last rotation.
      .leftJoin('refresh_tokens as t', (join) => join.onRef('t.family_id', '=', 'f.id').on('t.rotated_at', 'is', null))
      .selectAll('f')
      .select(['t.created_at as last_issued_at', 't.idle_expires_at'])
      .$if(userId !== undefined, (qb) => qb.where('f.user_id', '=', userId!))
      .$if(clientId !== undefined, (qb) => qb.where('f.client_id', '=', clientId!))
      .$if(activeAt !== undefined, (qb) =>
        qb.where('f.revoked_at', 'is', null).where('f.absolute_expires_at', '>', activeAt!).where('t.idle_expires_at', '>', activeAt!),
      )
      .orderBy('f.created_at', 'desc')
      .orderBy('f.id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ ...toFamily(row), lastIssuedAt: row.last_issued_at, idleExpiresAt: row.idle_expires_at }));
  }

  /** Drops families past their absolute expiry, with their tokens; returns how many. */
  async deleteExpired(now: number): Promise<number> {
    const result = await this.#db.deleteFrom('refresh_token_families').where('absolute_expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async #findWithFamily(db: Db, tokenHash: string, { lock }: { lock: boolean }): Promise<{ token: TokenRow; family: FamilyRow } | undefined> {
    // The family first: under FOR UPDATE the token row read next is current, not a stale snapshot.
    const family = await db
      .selectFrom('refresh_token_families')
      .selectAll()
      .where('id', '=', (eb) => eb.selectFrom('refresh_tokens').select('family_id').where('token_hash', '=', tokenHash))
      .$if(lock && this.#dialect === 'postgres', (qb) => qb.forUpdate())
      .executeTakeFirst();
    if (!family) return undefined;
    const token = await db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirstOrThrow();
    return { token, family };
  }
}

/** The one place that says what a refresh token is at `now`. A rotated token is that first. */
function classify(token: TokenRow, family: FamilyRow, now: number): 'live' | 'rotated' | 'expired' | 'revoked' {
  if (token.rotated_at !== null) return 'rotated';
  if (family.revoked_at !== null) return 'revoked';
  if (token.idle_expires_at <= now || family.absolute_expires_at <= now) return 'expired';
  return 'live';
}

async function insertToken(db: Db, familyId: string, tokenHash: string, now: number, idleExpiresAt: number): Promise<void> {
  await db
    .insertInto('refresh_tokens')
    .values({ token_hash: tokenHash, family_id: familyId, created_at: now, idle_expires_at: idleExpiresAt, rotated_at: null, successor_hash: null })
    .execute();
}

/** Marks a family revoked unless it already is; returns it as it now stands. */
async function revokeFamilyRow(db: Db, family: FamilyRow, now: number, reason: string): Promise<RefreshFamily> {
  if (family.revoked_at !== null) return toFamily(family);
  const row = await db
    .updateTable('refresh_token_families')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('id', '=', family.id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  // No row: revoked meanwhile by someone else; their time and reason stand.
  return toFamily(row ?? (await db.selectFrom('refresh_token_families').selectAll().where('id', '=', family.id).executeTakeFirstOrThrow()));
}

/** Its own transaction, or the caller's when the repository is bound to one (Store.transaction). */
function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

function toFamily(row: FamilyRow): RefreshFamily {
  return {
    id: row.id,
    userId: row.user_id,
    clientId: row.client_id,
    scope: row.scope,
    audience: row.audience,
    authTime: row.auth_time,
    authorizationCodeHash: row.authorization_code_hash,
    createdAt: row.created_at,
    absoluteExpiresAt: row.absolute_expires_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
  };
}
