import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from 'kysely';
import type { StoreDialect } from '../store-url.ts';
import type { StoreMigration } from './store-migration.ts';

/** The issuer's tables: people, clients, keys, codes, refresh sessions, revocations, events, throttling. */
export const initialSchema: StoreMigration = {
  name: '0001_initial',
  async up(db: Kysely<any>, dialect: StoreDialect): Promise<void> {
    const notNull = (col: ColumnDefinitionBuilder) => col.notNull();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('username', 'text', notNull)
      .addColumn('username_key', 'text', (col) => col.notNull().unique())
      .addColumn('password_hash', 'text', notNull)
      .addColumn('roles', 'text', (col) => col.notNull().defaultTo('[]'))
      .addColumn('disabled', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('updated_at', 'bigint', notNull)
      .addColumn('password_changed_at', 'bigint', notNull)
      .execute();

    await db.schema
      .createTable('clients')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('secret_hash', 'text')
      .addColumn('public', 'integer', notNull)
      .addColumn('grants', 'text', notNull)
      .addColumn('scopes', 'text', notNull)
      .addColumn('audiences', 'text', notNull)
      .addColumn('redirect_uris', 'text', notNull)
      .addColumn('roles', 'text', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .execute();

    await db.schema
      .createTable('signing_keys')
      .addColumn('kid', 'text', (col) => col.primaryKey())
      .addColumn('alg', 'text', notNull)
      .addColumn('state', 'text', notNull)
      .addColumn('public_jwk', 'text', notNull)
      .addColumn('sealed_private_key', 'text', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('activates_at', 'bigint', notNull)
      .addColumn('retiring_at', 'bigint')
      .addColumn('retire_after', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .execute();

    await db.schema
      .createTable('authorization_codes')
      .addColumn('code_hash', 'text', (col) => col.primaryKey())
      .addColumn('client_id', 'text', notNull)
      .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
      .addColumn('redirect_uri', 'text', notNull)
      .addColumn('scope', 'text', notNull)
      .addColumn('audience', 'text')
      .addColumn('code_challenge', 'text', notNull)
      .addColumn('nonce', 'text')
      .addColumn('auth_time', 'bigint', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('expires_at', 'bigint', notNull)
      .addColumn('consumed_at', 'bigint')
      .execute();
    await db.schema.createIndex('authorization_codes_expires_at').on('authorization_codes').column('expires_at').execute();

    await db.schema
      .createTable('refresh_token_families')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
      .addColumn('client_id', 'text', notNull)
      .addColumn('scope', 'text', notNull)
      .addColumn('audience', 'text')
      .addColumn('auth_time', 'bigint')
      .addColumn('authorization_code_hash', 'text')
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('absolute_expires_at', 'bigint', notNull)
      .addColumn('revoked_at', 'bigint')
      .addColumn('revoked_reason', 'text')
      .execute();
    await db.schema.createIndex('refresh_token_families_user_id').on('refresh_token_families').column('user_id').execute();
    await db.schema.createIndex('refresh_token_families_code').on('refresh_token_families').column('authorization_code_hash').execute();
    await db.schema.createIndex('refresh_token_families_expires').on('refresh_token_families').column('absolute_expires_at').execute();

    await db.schema
      .createTable('refresh_tokens')
      .addColumn('token_hash', 'text', (col) => col.primaryKey())
      .addColumn('family_id', 'text', (col) => col.notNull().references('refresh_token_families.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('idle_expires_at', 'bigint', notNull)
      .addColumn('rotated_at', 'bigint')
      .addColumn('successor_hash', 'text')
      .execute();
    await db.schema.createIndex('refresh_tokens_family_id').on('refresh_tokens').column('family_id').execute();

    await withSequenceId(db.schema.createTable('revocations'), dialect)
      .addColumn('kind', 'text', notNull)
      .addColumn('value', 'text', notNull)
      .addColumn('revoked_at', 'bigint', notNull)
      .addColumn('expires_at', 'bigint')
      .addColumn('reason', 'text')
      .execute();

    await withSequenceId(db.schema.createTable('security_events'), dialect)
      .addColumn('at', 'bigint', notNull)
      .addColumn('type', 'text', notNull)
      .addColumn('severity', 'text', notNull)
      .addColumn('subject', 'text')
      .addColumn('client_id', 'text')
      .addColumn('ip', 'text')
      .addColumn('details', 'text', (col) => col.notNull().defaultTo('{}'))
      .execute();
    await db.schema.createIndex('security_events_type_id').on('security_events').columns(['type', 'id']).execute();
    await db.schema.createIndex('security_events_at').on('security_events').column('at').execute();

    await db.schema
      .createTable('login_attempts')
      .addColumn('key', 'text', notNull)
      .addColumn('window_start', 'bigint', notNull)
      .addColumn('failures', 'integer', notNull)
      .addPrimaryKeyConstraint('login_attempts_pk', ['key', 'window_start'])
      .execute();
    await db.schema.createIndex('login_attempts_window_start').on('login_attempts').column('window_start').execute();
  },
};

/**
 * An increasing integer id that is never reused, even after the newest rows are deleted: readers
 * follow these tables by "rows after id N". SQLite needs AUTOINCREMENT for that (a plain rowid
 * reuses the highest id once it is deleted); PostgreSQL uses an identity column.
 */
function withSequenceId(table: CreateTableBuilder<any, any>, dialect: StoreDialect): CreateTableBuilder<any, any> {
  return dialect === 'postgres'
    ? table.addColumn('id', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
    : table.addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement());
}
