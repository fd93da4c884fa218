import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, UsersTable } from '../schema.ts';
import { decodeStringList, encodeJson } from '../json-columns.ts';
import { conflictAs } from '../unique-violation.ts';

/** A person who signs in at the issuer. `id` is the `sub` of their tokens; it never changes. */
export interface User {
  readonly id: string;
  readonly username: string;
  /** An argon2id PHC string, made by the caller; the store never sees a password. */
  readonly passwordHash: string;
  readonly roles: readonly string[];
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly passwordChangedAt: number;
}

export interface NewUser {
  /** Defaults to a random UUID. */
  readonly id?: string;
  readonly username: string;
  readonly passwordHash: string;
  readonly roles?: readonly string[];
  readonly now: number;
}

/**
 * Usernames are unique and looked up regardless of case and Unicode form: `Alice`, `alice` and a
 * full-width `ａｌｉｃｅ` are one account. The key is NFKC then lower case, computed here rather
 * than in SQL so that both dialects agree (SQLite's lower() folds ASCII only).
 */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}

export class UserRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Throws store_conflict when the username (in any case) or the id is taken. */
  async create(user: NewUser): Promise<User> {
    const row = await conflictAs(`A user named ${JSON.stringify(user.username)} (in any letter case) or with this id already exists.`, () =>
      this.#db
        .insertInto('users')
        .values({
          id: user.id ?? randomUUID(),
          username: user.username,
          username_key: normalizeUsername(user.username),
          password_hash: user.passwordHash,
          roles: encodeJson(user.roles ?? []),
          disabled: 0,
          created_at: user.now,
          updated_at: user.now,
          password_changed_at: user.now,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toUser(row);
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.#db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const row = await this.#db.selectFrom('users').selectAll().where('username_key', '=', normalizeUsername(username)).executeTakeFirst();
    return row && toUser(row);
  }

  async list(): Promise<User[]> {
    const rows = await this.#db.selectFrom('users').selectAll().orderBy('username_key').execute();
    return rows.map(toUser);
  }

  /** Returns the updated user, or undefined when there is none with this id. */
  async setDisabled(id: string, disabled: boolean, now: number): Promise<User | undefined> {
    return this.#update(id, { disabled: disabled ? 1 : 0, updated_at: now });
  }

  async setPassword(id: string, passwordHash: string, now: number): Promise<User | undefined> {
    return this.#update(id, { password_hash: passwordHash, password_changed_at: now, updated_at: now });
  }

  async setRoles(id: string, roles: readonly string[], now: number): Promise<User | undefined> {
    return this.#update(id, { roles: encodeJson(roles), updated_at: now });
  }

  async #update(id: string, changes: Partial<Omit<UsersTable, 'id'>>): Promise<User | undefined> {
    const row = await this.#db.updateTable('users').set(changes).where('id', '=', id).returningAll().executeTakeFirst();
    return row && toUser(row);
  }
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    roles: decodeStringList(row.roles),
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    passwordChangedAt: row.password_changed_at,
  };
}
