import type { JWK } from 'jose';
import type { Kysely, Selectable } from 'kysely';
import type { Database, SigningKeysTable } from '../schema.ts';
import { decodeJsonObject, encodeJson } from '../json-columns.ts';
import { conflictAs } from '../unique-violation.ts';

/** pending → active → retiring → retired; `revoked` is the emergency exit from any of them. */
export type SigningKeyState = 'pending' | 'active' | 'retiring' | 'retired' | 'revoked';

export interface SigningKeyRecord {
  /** The RFC 7638 thumbprint of the public key. */
  readonly kid: string;
  readonly alg: string;
  readonly state: SigningKeyState;
  readonly publicJwk: JWK;
  /** The private key sealed under the master key (AES-256-GCM); only the keys module opens it. */
  readonly sealedPrivateKey: string;
  readonly createdAt: number;
  /** When it may start signing; until then it is only published. */
  readonly activatesAt: number;
  readonly retiringAt: number | null;
  /** When a retiring key becomes retired: every token it signed has expired by then. */
  readonly retireAfter: number | null;
  readonly revokedAt: number | null;
}

export type NewSigningKey = Omit<SigningKeyRecord, 'retiringAt' | 'retireAfter' | 'revokedAt' | 'state'> & {
  readonly state: 'pending' | 'active';
};

/** The new state and the times that change with it. */
export interface SigningKeyChange {
  readonly state: Exclude<SigningKeyState, 'revoked'>;
  readonly activatesAt?: number;
  readonly retiringAt?: number;
  readonly retireAfter?: number;
}

export class SigningKeyRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Throws store_conflict when the kid exists. */
  async insert(key: NewSigningKey): Promise<SigningKeyRecord> {
    const row = await conflictAs(`A signing key with kid ${JSON.stringify(key.kid)} already exists.`, () =>
      this.#db
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          alg: key.alg,
          state: key.state,
          public_jwk: encodeJson(key.publicJwk),
          sealed_private_key: key.sealedPrivateKey,
          created_at: key.createdAt,
          activates_at: key.activatesAt,
          retiring_at: null,
          retire_after: null,
          revoked_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toSigningKey(row);
  }

  async find(kid: string): Promise<SigningKeyRecord | undefined> {
    const row = await this.#db.selectFrom('signing_keys').selectAll().where('kid', '=', kid).executeTakeFirst();
    return row && toSigningKey(row);
  }

  /** Every key, oldest first. */
  async list(): Promise<SigningKeyRecord[]> {
    const rows = await this.#db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
    return rows.map(toSigningKey);
  }

  /**
   * Moves a key from `from` to a new state, only if it is still in `from` (compare-and-set), so
   * that replicas rotating on the same schedule do not both rotate. Returns the updated key, or
   * undefined when it was not in `from` (another replica won) or does not exist.
   */
  async transition(kid: string, from: SigningKeyState, change: SigningKeyChange): Promise<SigningKeyRecord | undefined> {
    const row = await this.#db
      .updateTable('signing_keys')
      .set({
        state: change.state,
        ...(change.activatesAt === undefined ? {} : { activates_at: change.activatesAt }),
        ...(change.retiringAt === undefined ? {} : { retiring_at: change.retiringAt }),
        ...(change.retireAfter === undefined ? {} : { retire_after: change.retireAfter }),
      })
      .where('kid', '=', kid)
      .where('state', '=', from)
      .returningAll()
      .executeTakeFirst();
    return row && toSigningKey(row);
  }

  /**
   * Emergency revoke: the key leaves the key set at once, whatever its state. Revoking again keeps
   * the first time. Returns the key, or undefined when there is none with this kid.
   */
  async revoke(kid: string, now: number): Promise<SigningKeyRecord | undefined> {
    const row = await this.#db
      .updateTable('signing_keys')
      .set({ state: 'revoked', revoked_at: now })
      .where('kid', '=', kid)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row ? toSigningKey(row) : this.find(kid);
  }
}

function toSigningKey(row: Selectable<SigningKeysTable>): SigningKeyRecord {
  return {
    kid: row.kid,
    alg: row.alg,
    state: row.state as SigningKeyState,
    publicJwk: decodeJsonObject<JWK>(row.public_jwk),
    sealedPrivateKey: row.sealed_private_key,
    createdAt: row.created_at,
    activatesAt: row.activates_at,
    retiringAt: row.retiring_at,
    retireAfter: row.retire_after,
    revokedAt: row.revoked_at,
  };
}
