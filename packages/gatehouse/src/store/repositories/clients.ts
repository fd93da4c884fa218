import type { Kysely, Selectable } from 'kysely';
import type { ClientsTable, Database } from '../schema.ts';
import { decodeStringList, encodeJson } from '../json-columns.ts';
import { conflictAs } from '../unique-violation.ts';

/**
 * An OAuth client added with `gatehouse clients add`. Clients declared in the configuration are
 * not stored; the issuer merges both lists.
 */
export interface StoredClient {
  readonly id: string;
  /** Hash of the client secret; null for a public client (authorization code + PKCE only). */
  readonly secretHash: string | null;
  readonly public: boolean;
  readonly grants: readonly string[];
  readonly scopes: readonly string[];
  /** The audiences it may ask for with `resource` (RFC 8707). */
  readonly audiences: readonly string[];
  readonly redirectUris: readonly string[];
  readonly roles: readonly string[];
  readonly createdAt: number;
}

export type NewClient = Omit<StoredClient, 'createdAt'> & { readonly now: number };

export class ClientRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Throws store_conflict when the id is taken. */
  async create(client: NewClient): Promise<StoredClient> {
    const row = await conflictAs(`A client with id ${JSON.stringify(client.id)} already exists.`, () =>
      this.#db
        .insertInto('clients')
        .values({
          id: client.id,
          secret_hash: client.secretHash,
          public: client.public ? 1 : 0,
          grants: encodeJson(client.grants),
          scopes: encodeJson(client.scopes),
          audiences: encodeJson(client.audiences),
          redirect_uris: encodeJson(client.redirectUris),
          roles: encodeJson(client.roles),
          created_at: client.now,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toClient(row);
  }

  async find(id: string): Promise<StoredClient | undefined> {
    const row = await this.#db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toClient(row);
  }

  async list(): Promise<StoredClient[]> {
    const rows = await this.#db.selectFrom('clients').selectAll().orderBy('id').execute();
    return rows.map(toClient);
  }

  /** Returns whether a client was deleted. */
  async delete(id: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('clients').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

function toClient(row: Selectable<ClientsTable>): StoredClient {
  return {
    id: row.id,
    secretHash: row.secret_hash,
    public: row.public === 1,
    grants: decodeStringList(row.grants),
    scopes: decodeStringList(row.scopes),
    audiences: decodeStringList(row.audiences),
    redirectUris: decodeStringList(row.redirect_uris),
    roles: decodeStringList(row.roles),
    createdAt: row.created_at,
  };
}
