import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type MigrationProvider } from 'kysely';
import { ServerError, type ServerErrorCode } from '../../src/errors.ts';
import { storeMigrations, type OpenStoreOptions, type Store } from '../../src/store/index.ts';

/** A freshly created, migrated store, and a way to open more handles on the same database. */
export interface StoreUnderTest {
  readonly store: Store;
  /** Another handle on the same database, as a second replica or process would open it. */
  openAgain(options?: Pick<OpenStoreOptions, 'migrationProvider'>): Promise<Store>;
  /** Closes every handle and removes the database (file or schema). */
  dispose(): Promise<void>;
}

export type OpenFreshStore = () => Promise<StoreUnderTest>;

const NOW = 1_700_000_000_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The one behaviour every store backend must have (SQLite and PostgreSQL run the same cases).
 * Each case gets a fresh database. Concurrent cases fire their operations together with
 * Promise.all: on PostgreSQL each transaction then holds its own pool connection, so the
 * database sees real concurrency; SQLite's single connection serialises them.
 */
export function runStoreContract(name: string, openFreshStore: OpenFreshStore): void {
  describe(`store contract: ${name}`, () => {
    let sut: StoreUnderTest;
    let store: Store;

    beforeEach(async () => {
      sut = await openFreshStore();
      store = sut.store;
    });
    afterEach(async () => {
      await sut.dispose();
    });

    async function createUser(username = 'alice'): Promise<string> {
      const user = await store.users.create({ username, passwordHash: `$argon2id$v=19$hash-of-${username}`, now: NOW });
      return user.id;
    }

    async function createFamily(userId: string, overrides: { tokenHash?: string; idleTtl?: number; absoluteTtl?: number; clientId?: string; authorizationCodeHash?: string } = {}) {
      return store.refreshTokens.createFamily({
        userId,
        clientId: overrides.clientId ?? 'web',
        scope: 'openid orders:read',
        audience: 'orders',
        authTime: NOW - MINUTE,
        authorizationCodeHash: overrides.authorizationCodeHash ?? null,
        tokenHash: overrides.tokenHash ?? 'rt-1',
        now: NOW,
        idleTtl: overrides.idleTtl ?? 12 * HOUR,
        absoluteTtl: overrides.absoluteTtl ?? 7 * 24 * HOUR,
      });
    }

    describe('migrations', () => {
      it('applies the schema once: running them again, or from another handle, applies nothing', async () => {
        assert.deepEqual(await store.migrate(), []);
        const again = await sut.openAgain();
        assert.deepEqual(await again.migrate(), []);
        const applied = await sql<{ name: string }>`select name from gatehouse_migration order by name`.execute(store.db);
        assert.deepEqual(applied.rows.map((row) => row.name), ['0001_initial']);
      });

      it('a failing migration is store_migration_failed naming it, and leaves nothing half-applied', async () => {
        const broken: MigrationProvider = {
          getMigrations: async () => ({
            ...storeMigrations(store.dialect),
            '0002_broken': {
              async up(db) {
                await db.schema.createTable('half_built').addColumn('id', 'integer').execute();
                await sql`select * from no_such_table`.execute(db);
              },
            },
          }),
        };
        const error = await rejectsWithCode(sut.openAgain({ migrationProvider: broken }), 'store_migration_failed');
        assert.match(error.message, /0002_broken/);
        await assert.rejects(sql`select * from half_built`.execute(store.db), 'the failed migration was rolled back');
        const applied = await sql<{ name: string }>`select name from gatehouse_migration order by name`.execute(store.db);
        assert.deepEqual(applied.rows.map((row) => row.name), ['0001_initial']);
        assert.deepEqual(await store.migrate(), [], 'the store is still at its last good version');
      });
    });

    describe('users', () => {
      it('creates, finds by id and by username in any case, lists, and updates', async () => {
        const created = await store.users.create({ username: 'Alice', passwordHash: '$argon2id$v=19$a', roles: ['admin', 'billing'], now: NOW });
        assert.equal(created.username, 'Alice');
        assert.deepEqual(created.roles, ['admin', 'billing']);
        assert.equal(created.disabled, false);
        assert.equal(created.createdAt, NOW);
        assert.equal(created.passwordChangedAt, NOW);

        assert.deepEqual(await store.users.findById(created.id), created);
        assert.deepEqual(await store.users.findByUsername('alice'), created);
        assert.deepEqual(await store.users.findByUsername('ALICE'), created);
        assert.deepEqual(await store.users.findByUsername('ａｌｉｃｅ'), created, 'full-width letters are the same name');
        assert.equal(await store.users.findByUsername('alicia'), undefined);

        await store.users.create({ username: 'bob', passwordHash: '$argon2id$v=19$b', now: NOW });
        assert.deepEqual((await store.users.list()).map((user) => user.username), ['Alice', 'bob']);

        const disabled = await store.users.setDisabled(created.id, true, NOW + 1);
        assert.equal(disabled?.disabled, true);
        assert.equal(disabled?.updatedAt, NOW + 1);
        assert.equal((await store.users.setDisabled(created.id, false, NOW + 2))?.disabled, false);

        const repassworded = await store.users.setPassword(created.id, '$argon2id$v=19$new', NOW + 3);
        assert.equal(repassworded?.passwordHash, '$argon2id$v=19$new');
        assert.equal(repassworded?.passwordChangedAt, NOW + 3);

        assert.deepEqual((await store.users.setRoles(created.id, [], NOW + 4))?.roles, []);
        assert.equal(await store.users.setRoles('no-such-id', ['x'], NOW), undefined);
      });

      it('usernames are unique regardless of letter case: a second Alice is store_conflict', async () => {
        await store.users.create({ username: 'alice', passwordHash: 'h', now: NOW });
        await rejectsWithCode(store.users.create({ username: 'ALICE', passwordHash: 'h', now: NOW }), 'store_conflict');
        await rejectsWithCode(store.users.create({ username: 'Ａlice', passwordHash: 'h', now: NOW }), 'store_conflict');
        assert.equal((await store.users.list()).length, 1);
      });
    });

    describe('clients', () => {
      it('creates public and confidential clients, finds, lists, refuses a duplicate id, deletes', async () => {
        const web = await store.clients.create({
          id: 'web',
          secretHash: null,
          public: true,
          grants: ['authorization_code', 'refresh_token'],
          scopes: ['openid', 'orders:read'],
          audiences: ['orders', 'app'],
          redirectUris: ['https://app.example.com/callback'],
          roles: [],
          now: NOW,
        });
        assert.equal(web.public, true);
        assert.equal(web.secretHash, null);
        assert.deepEqual(web.redirectUris, ['https://app.example.com/callback']);
        const billing = await store.clients.create({
          id: 'billing-svc',
          secretHash: '$argon2id$v=19$secret',
          public: false,
          grants: ['client_credentials'],
          scopes: ['orders:read'],
          audiences: ['orders'],
          redirectUris: [],
          roles: ['billing'],
          now: NOW,
        });
        assert.equal(billing.public, false);
        assert.deepEqual(await store.clients.find('web'), web);
        assert.deepEqual((await store.clients.list()).map((client) => client.id), ['billing-svc', 'web']);
        await rejectsWithCode(store.clients.create({ ...billing, now: NOW }), 'store_conflict');
        assert.equal(await store.clients.delete('web'), true);
        assert.equal(await store.clients.delete('web'), false);
        assert.equal(await store.clients.find('web'), undefined);
      });
    });

    describe('signing keys', () => {
      const publicJwk = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', alg: 'ES256', use: 'sig' };

      it('inserts, finds, lists oldest first, and refuses a duplicate kid', async () => {
        const first = await store.signingKeys.insert({ kid: 'kid-1', alg: 'ES256', state: 'active', publicJwk, sealedPrivateKey: 'sealed-1', createdAt: NOW, activatesAt: NOW });
        assert.deepEqual(first.publicJwk, publicJwk);
        assert.equal(first.retiringAt, null);
        await store.signingKeys.insert({ kid: 'kid-2', alg: 'ES256', state: 'pending', publicJwk, sealedPrivateKey: 'sealed-2', createdAt: NOW + 1, activatesAt: NOW + HOUR });
        assert.deepEqual(await store.signingKeys.find('kid-1'), first);
        assert.deepEqual((await store.signingKeys.list()).map((key) => [key.kid, key.state]), [['kid-1', 'active'], ['kid-2', 'pending']]);
        await rejectsWithCode(
          store.signingKeys.insert({ kid: 'kid-1', alg: 'ES256', state: 'pending', publicJwk, sealedPrivateKey: 's', createdAt: NOW, activatesAt: NOW }),
          'store_conflict',
        );
      });

      it('moves a key between states only from the state it is in (one replica wins a rotation)', async () => {
        await store.signingKeys.insert({ kid: 'kid-1', alg: 'ES256', state: 'active', publicJwk, sealedPrivateKey: 's', createdAt: NOW, activatesAt: NOW });
        const attempts = await Promise.all(
          Array.from({ length: 5 }, () => store.signingKeys.transition('kid-1', 'active', { state: 'retiring', retiringAt: NOW + HOUR, retireAfter: NOW + 2 * HOUR })),
        );
        assert.equal(attempts.filter((key) => key !== undefined).length, 1);
        const retiring = await store.signingKeys.find('kid-1');
        assert.equal(retiring?.state, 'retiring');
        assert.equal(retiring?.retiringAt, NOW + HOUR);
        assert.equal(retiring?.retireAfter, NOW + 2 * HOUR);
        assert.equal((await store.signingKeys.transition('kid-1', 'retiring', { state: 'retired' }))?.state, 'retired');
        assert.equal(await store.signingKeys.transition('no-such-kid', 'active', { state: 'retiring' }), undefined);
      });

      it('revokes at once, keeping the first revocation time', async () => {
        await store.signingKeys.insert({ kid: 'kid-1', alg: 'ES256', state: 'active', publicJwk, sealedPrivateKey: 's', createdAt: NOW, activatesAt: NOW });
        const revoked = await store.signingKeys.revoke('kid-1', NOW + 5);
        assert.equal(revoked?.state, 'revoked');
        assert.equal(revoked?.revokedAt, NOW + 5);
        assert.equal((await store.signingKeys.revoke('kid-1', NOW + 9))?.revokedAt, NOW + 5);
        assert.equal(await store.signingKeys.transition('kid-1', 'active', { state: 'retiring' }), undefined, 'a revoked key never comes back');
        assert.equal(await store.signingKeys.revoke('no-such-kid', NOW), undefined);
      });
    });

    describe('authorization codes', () => {
      async function insertCode(codeHash: string, userId: string, expiresAt = NOW + MINUTE): Promise<void> {
        await store.authorizationCodes.insert({
          codeHash,
          clientId: 'web',
          userId,
          redirectUri: 'https://app.example.com/callback',
          scope: 'openid orders:read',
          audience: 'orders',
          codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          nonce: 'n-0S6_WzA2Mj',
          authTime: NOW - 1_000,
          createdAt: NOW,
          expiresAt,
        });
      }

      it('is consumed once; later it is replayed; expired and unknown codes are refused', async () => {
        const userId = await createUser();
        await insertCode('code-1', userId);
        const first = await store.authorizationCodes.consume('code-1', NOW + 1_000);
        assert.equal(first.status, 'consumed');
        assert.ok(first.status === 'consumed');
        assert.equal(first.code.userId, userId);
        assert.equal(first.code.codeChallenge, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
        assert.equal(first.code.nonce, 'n-0S6_WzA2Mj');
        assert.equal(first.code.authTime, NOW - 1_000);
        assert.equal(first.code.consumedAt, NOW + 1_000);

        const replay = await store.authorizationCodes.consume('code-1', NOW + 2_000);
        assert.equal(replay.status, 'replayed');
        assert.ok(replay.status === 'replayed');
        assert.equal(replay.code.consumedAt, NOW + 1_000, 'a replay does not move the consumption time');

        await insertCode('code-2', userId, NOW + MINUTE);
        assert.deepEqual(await store.authorizationCodes.consume('code-2', NOW + MINUTE), { status: 'expired' });
        assert.deepEqual(await store.authorizationCodes.consume('no-such-code', NOW), { status: 'unknown' });
      });

      it('ten concurrent redemptions of one code: exactly one succeeds', async () => {
        const userId = await createUser();
        await insertCode('code-1', userId);
        const outcomes = await Promise.all(Array.from({ length: 10 }, () => store.authorizationCodes.consume('code-1', NOW + 1)));
        assert.equal(outcomes.filter((outcome) => outcome.status === 'consumed').length, 1);
        assert.equal(outcomes.filter((outcome) => outcome.status === 'replayed').length, 9);
      });

      it('drops expired codes', async () => {
        const userId = await createUser();
        await insertCode('old', userId, NOW);
        await insertCode('new', userId, NOW + MINUTE);
        assert.equal(await store.authorizationCodes.deleteExpired(NOW), 1);
        assert.deepEqual(await store.authorizationCodes.consume('old', NOW - 1), { status: 'unknown' });
        assert.equal((await store.authorizationCodes.consume('new', NOW)).status, 'consumed');
      });
    });

    describe('refresh tokens', () => {
      it('creates a family and rotates along the chain', async () => {
        const userId = await createUser();
        const family = await createFamily(userId, { tokenHash: 'rt-1' });
        assert.equal(family.userId, userId);
        assert.equal(family.absoluteExpiresAt, NOW + 7 * 24 * HOUR);
        assert.equal(family.authTime, NOW - MINUTE);
        assert.deepEqual(await store.refreshTokens.findFamily(family.id), family);
        assert.equal((await store.refreshTokens.inspect('rt-1', NOW)).status, 'live');

        const first = await store.refreshTokens.rotate({ oldHash: 'rt-1', newHash: 'rt-2', now: NOW + MINUTE, idleTtl: 12 * HOUR });
        assert.equal(first.status, 'rotated');
        assert.ok(first.status === 'rotated');
        assert.equal(first.family.id, family.id);
        assert.equal(first.idleExpiresAt, NOW + MINUTE + 12 * HOUR);
        assert.equal((await store.refreshTokens.inspect('rt-1', NOW + MINUTE)).status, 'rotated');
        assert.equal((await store.refreshTokens.inspect('rt-2', NOW + MINUTE)).status, 'live');

        const second = await store.refreshTokens.rotate({ oldHash: 'rt-2', newHash: 'rt-3', now: NOW + 2 * MINUTE, idleTtl: 12 * HOUR });
        assert.equal(second.status, 'rotated');

        const [session] = await store.refreshTokens.listFamilies({ userId });
        assert.equal(session?.id, family.id);
        assert.equal(session?.lastIssuedAt, NOW + 2 * MINUTE);
        assert.equal(session?.idleExpiresAt, NOW + 2 * MINUTE + 12 * HOUR);
      });

      it('reuse of a rotated token revokes the whole family', async () => {
        const userId = await createUser();
        const family = await createFamily(userId, { tokenHash: 'rt-1' });
        assert.equal((await store.refreshTokens.rotate({ oldHash: 'rt-1', newHash: 'rt-2', now: NOW + 1, idleTtl: HOUR })).status, 'rotated');

        const reuse = await store.refreshTokens.rotate({ oldHash: 'rt-1', newHash: 'rt-x', now: NOW + 2, idleTtl: HOUR });
        assert.equal(reuse.status, 'reused');
        assert.ok(reuse.status === 'reused');
        assert.equal(reuse.family.id, family.id);
        assert.equal(reuse.family.revokedAt, NOW + 2);
        assert.equal(reuse.family.revokedReason, 'reuse');
        assert.equal((await store.refreshTokens.inspect('rt-x', NOW + 2)).status, 'unknown', 'no successor was stored');

        // The legitimate holder's current token dies with the family.
        assert.equal((await store.refreshTokens.rotate({ oldHash: 'rt-2', newHash: 'rt-3', now: NOW + 3, idleTtl: HOUR })).status, 'revoked');
        assert.deepEqual(await store.refreshTokens.listFamilies({ userId, activeAt: NOW + 3 }), []);
      });

      it('an idle token expires; nothing changes', async () => {
        const userId = await createUser();
        await createFamily(userId, { tokenHash: 'rt-1', idleTtl: HOUR });
        const late = await store.refreshTokens.rotate({ oldHash: 'rt-1', newHash: 'rt-2', now: NOW + HOUR, idleTtl: HOUR });
        assert.equal(late.status, 'expired');
        assert.equal((await store.refreshTokens.inspect('rt-1', NOW)).status, 'live', 'the expired attempt did not spend the token');
        assert.equal((await store.refreshTokens.inspect('rt-2', NOW)).status, 'unknown');
      });

      it('the absolute lifetime ends the family however recently it was used', async () => {
        const userId = await createUser();
        const family = await createFamily(userId, { tokenHash: 'rt-1', idleTtl: HOUR, absoluteTtl: 90 * MINUTE });
        const rotated = await store.refreshTokens.rotate({ oldHash: 'rt-1', newHash: 'rt-2', now: NOW + 50 * MINUTE, idleTtl: HOUR });
        assert.ok(rotated.status === 'rotated');
        assert.equal(rotated.idleExpiresAt, family.absoluteExpiresAt, 'idle expiry never passes the absolute one');
        const late = await store.refreshTokens.rotate({ oldHash: 'rt-2', newHash: 'rt-3', now: NOW + 90 * MINUTE, idleTtl: HOUR });
        assert.equal(late.status, 'expired');
      });

      it('a revoked family refuses its tokens; revoking again keeps the first time and reason', async () => {
        const userId = await createUser();
        const family = await createFamily(userId, { tokenHash: 'rt-1' });
        const revoked = await store.refreshTokens.revokeFamily(family.id, NOW + 1, 'logout');
        assert.equal(revoked?.revokedAt, NOW + 1);
        assert.equal(revoked?.revokedReason, 'logout');
        assert.equal((await store.refreshTokens.revokeFamily(family.id, NOW + 2, 'admin'))?.revokedReason, 'logout');
        assert.equal(await store.refreshTokens.revokeFamily('no-such-family', NOW, 'admin'), undefined);
        const attempt = await store.refreshTokens.rotate({ oldHash: 'rt-1', newHash: 'rt-2', now: NOW + 3, idleTtl: HOUR });
        assert.equal(attempt.status, 'revoked');
        assert.deepEqual(await store.refreshTokens.rotate({ oldHash: 'no-such-token', newHash: 'rt-9', now: NOW, idleTtl: HOUR }), { status: 'unknown' });
      });

      it('ten concurrent rotations of one token: exactly one rotates, the others are reuse', async () => {
        const userId = await createUser();
        const family = await createFamily(userId, { tokenHash: 'rt-1' });
        const outcomes = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.refreshTokens.rotate({ oldHash: 'rt-1', newHash: `rt-2-${i}`, now: NOW + 1, idleTtl: HOUR })),
        );
        const statuses = outcomes.map((outcome) => outcome.status);
        assert.equal(statuses.filter((status) => status === 'rotated').length, 1, `statuses: ${statuses.join(', ')}`);
        assert.equal(statuses.filter((status) => status === 'reused').length, 9, `statuses: ${statuses.join(', ')}`);
        const tokens = await store.db.selectFrom('refresh_tokens').select('token_hash').where('family_id', '=', family.id).execute();
        assert.equal(tokens.length, 2, 'one successor, no more');
        assert.equal((await store.refreshTokens.findFamily(family.id))?.revokedReason, 'reuse');
      });

      it('revokes every family of a user, or of an authorization code; lists and filters sessions', async () => {
        const alice = await createUser('alice');
        const bob = await createUser('bob');
        const a1 = await createFamily(alice, { tokenHash: 'a1', clientId: 'web' });
        const a2 = await createFamily(alice, { tokenHash: 'a2', clientId: 'cli', authorizationCodeHash: 'code-a2' });
        const b1 = await createFamily(bob, { tokenHash: 'b1', clientId: 'web' });

        assert.deepEqual((await store.refreshTokens.listFamilies({ clientId: 'web' })).map((f) => f.id).sort(), [a1.id, b1.id].sort());
        assert.deepEqual(await store.refreshTokens.revokeFamiliesOfAuthorizationCode('code-a2', NOW + 1, 'code_replayed'), [a2.id]);
        // Again (a replay handled half-way before): the same family, still for its first revocation.
        assert.deepEqual(await store.refreshTokens.revokeFamiliesOfAuthorizationCode('code-a2', NOW + 5, 'later'), [a2.id]);
        assert.deepEqual(await store.refreshTokens.revokeFamiliesOfUser(alice, NOW + 2, 'user_disabled'), [a1.id]);
        assert.deepEqual(await store.refreshTokens.revokeFamiliesOfUser(alice, NOW + 3, 'user_disabled'), []);
        assert.equal((await store.refreshTokens.findFamily(a2.id))?.revokedReason, 'code_replayed');

        assert.deepEqual((await store.refreshTokens.listFamilies({ activeAt: NOW + 3 })).map((f) => f.id), [b1.id]);
        assert.equal((await store.refreshTokens.listFamilies({ userId: alice })).length, 2, 'without activeAt, revoked sessions are listed too');
        assert.equal((await store.refreshTokens.listFamilies({ limit: 1 })).length, 1);
      });

      it('drops families past their absolute expiry, with their tokens', async () => {
        const userId = await createUser();
        const short = await createFamily(userId, { tokenHash: 'short', absoluteTtl: HOUR });
        await createFamily(userId, { tokenHash: 'long', absoluteTtl: 2 * HOUR });
        assert.equal(await store.refreshTokens.deleteExpired(NOW + HOUR), 1);
        assert.equal(await store.refreshTokens.findFamily(short.id), undefined);
        assert.deepEqual(await store.refreshTokens.inspect('short', NOW), { status: 'unknown' });
        const orphans = await store.db.selectFrom('refresh_tokens').select('token_hash').where('family_id', '=', short.id).execute();
        assert.deepEqual(orphans, []);
      });
    });

    describe('revocations', () => {
      it('lists what is in force with a cursor, then only the changes after it', async () => {
        const jti = await store.revocations.add({ kind: 'token', value: 'jti-1', revokedAt: NOW, expiresAt: NOW + 5 * MINUTE, reason: 'logout' });
        const old = await store.revocations.add({ kind: 'token', value: 'jti-0', revokedAt: NOW - HOUR, expiresAt: NOW - 1 });
        const subject = await store.revocations.add({ kind: 'subject', value: 'user-1', revokedAt: NOW });
        assert.equal(jti.reason, 'logout');
        assert.equal(subject.expiresAt, null);
        assert.ok(jti.id < old.id && old.id < subject.id, 'ids increase');

        const snapshot = await store.revocations.listActive(NOW);
        assert.deepEqual(snapshot.entries.map((entry) => entry.value), ['jti-1', 'user-1']);
        assert.equal(snapshot.cursor, subject.id);
        assert.deepEqual(await store.revocations.changesSince(snapshot.cursor), { entries: [], cursor: snapshot.cursor });

        const family = await store.revocations.add({ kind: 'family', value: 'fam-1', revokedAt: NOW + 1 });
        const key = await store.revocations.add({ kind: 'key', value: 'kid-1', revokedAt: NOW + 2 });
        const page = await store.revocations.changesSince(snapshot.cursor, 1);
        assert.deepEqual(page.entries, [family]);
        const rest = await store.revocations.changesSince(page.cursor, 1);
        assert.deepEqual(rest.entries, [key]);
        assert.equal(rest.cursor, key.id);
      });

      it('revoking the same thing again is a new change; concurrent additions all arrive, in id order', async () => {
        const first = await store.revocations.add({ kind: 'subject', value: 'user-1', revokedAt: NOW });
        const second = await store.revocations.add({ kind: 'subject', value: 'user-1', revokedAt: NOW + HOUR });
        assert.ok(second.id > first.id);
        const added = await Promise.all(Array.from({ length: 20 }, (_, i) => store.revocations.add({ kind: 'token', value: `jti-${i}`, revokedAt: NOW })));
        const changes = await store.revocations.changesSince(second.id);
        assert.equal(changes.entries.length, 20);
        assert.deepEqual(changes.entries.map((entry) => entry.id), added.map((entry) => entry.id).sort((a, b) => a - b));
      });

      it('drops expired entries; ids are never reused after the newest is dropped', async () => {
        await store.revocations.add({ kind: 'token', value: 'keep', revokedAt: NOW });
        const dropped = await store.revocations.add({ kind: 'token', value: 'drop', revokedAt: NOW, expiresAt: NOW + 1 });
        assert.equal(await store.revocations.deleteExpired(NOW + 1), 1);
        const next = await store.revocations.add({ kind: 'token', value: 'next', revokedAt: NOW + 2 });
        assert.ok(next.id > dropped.id);
        assert.deepEqual((await store.revocations.listActive(NOW + 2)).entries.map((entry) => entry.value), ['keep', 'next']);
        assert.equal(await store.revocations.latestId(), next.id);
      });
    });

    describe('security events', () => {
      it('appends and lists the most recent first, filtered by type, subject, id', async () => {
        const reused = await store.securityEvents.append({
          at: NOW,
          type: 'refresh.reused',
          severity: 'critical',
          subject: 'user-1',
          clientId: 'web',
          ip: '203.0.113.7',
          details: { familyId: 'fam-1', nested: { count: 2 } },
        });
        assert.deepEqual(reused.details, { familyId: 'fam-1', nested: { count: 2 } });
        const locked = await store.securityEvents.append({ at: NOW + 1, type: 'login.locked', severity: 'warning', subject: 'user-2' });
        assert.deepEqual(locked.details, {});
        assert.equal(locked.ip, null);
        const rotated = await store.securityEvents.append({ at: NOW + 2, type: 'key.rotated', severity: 'info' });

        assert.deepEqual((await store.securityEvents.listRecent()).map((event) => event.id), [rotated.id, locked.id, reused.id]);
        assert.deepEqual(await store.securityEvents.listRecent({ type: 'refresh.reused' }), [reused]);
        assert.deepEqual(await store.securityEvents.listRecent({ subject: 'user-2' }), [locked]);
        assert.deepEqual((await store.securityEvents.listRecent({ afterId: reused.id })).map((event) => event.id), [rotated.id, locked.id]);
        assert.deepEqual(await store.securityEvents.listRecent({ limit: 1 }), [rotated]);
        assert.deepEqual((await store.securityEvents.listAfter(0)).map((event) => event.id), [reused.id, locked.id, rotated.id], 'oldest first');
        assert.deepEqual(await store.securityEvents.listAfter(reused.id, { limit: 1 }), [locked]);
        assert.deepEqual(await store.securityEvents.listAfter(0, { type: 'key.rotated' }), [rotated]);
        assert.deepEqual(await store.securityEvents.listAfter(rotated.id), []);
        assert.equal(await store.securityEvents.deleteOlderThan(NOW + 1), 1);
        assert.equal((await store.securityEvents.listRecent()).length, 2);
      });
    });

    describe('login attempts', () => {
      it('counts failures per window atomically and sums recent windows', async () => {
        const window = NOW - (NOW % MINUTE);
        assert.equal(await store.loginAttempts.recordFailure({ key: 'user:alice', windowStart: window }), 1);
        assert.equal(await store.loginAttempts.recordFailure({ key: 'user:alice', windowStart: window }), 2);
        assert.equal(await store.loginAttempts.recordFailure({ key: 'user:alice', windowStart: window + MINUTE }), 1);
        assert.equal(await store.loginAttempts.recordFailure({ key: 'ip:203.0.113.7', windowStart: window }), 1);
        assert.equal(await store.loginAttempts.countFailures('user:alice', window), 3);
        assert.equal(await store.loginAttempts.countFailures('user:alice', window + MINUTE), 1);
        assert.equal(await store.loginAttempts.countFailures('user:nobody', window), 0);

        assert.equal(await store.loginAttempts.deleteWindowsBefore(window + MINUTE), 2);
        assert.equal(await store.loginAttempts.countFailures('user:alice', 0), 1);
        await store.loginAttempts.clear('user:alice');
        assert.equal(await store.loginAttempts.countFailures('user:alice', 0), 0);
      });

      it('concurrent failures are all counted, each seeing its own total', async () => {
        const counts = await Promise.all(Array.from({ length: 10 }, () => store.loginAttempts.recordFailure({ key: 'ip:198.51.100.1', windowStart: NOW })));
        assert.deepEqual([...counts].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert.equal(await store.loginAttempts.countFailures('ip:198.51.100.1', NOW), 10);
      });
    });

    describe('numbers', () => {
      it('64-bit columns come back as JS numbers, exactly, up to 2^53 - 1', async () => {
        const entry = await store.revocations.add({ kind: 'token', value: 'max', revokedAt: NOW, expiresAt: Number.MAX_SAFE_INTEGER });
        const [read] = (await store.revocations.listActive(NOW)).entries;
        assert.equal(typeof read?.id, 'number');
        assert.equal(read?.revokedAt, NOW);
        assert.equal(read?.expiresAt, Number.MAX_SAFE_INTEGER);
        assert.equal(typeof (await store.revocations.changesSince(0)).cursor, 'number');
        assert.equal(entry.expiresAt, Number.MAX_SAFE_INTEGER);

        const userId = await createUser();
        const user = await store.users.findById(userId);
        assert.equal(typeof user?.createdAt, 'number');
        const { rows } = await sql<{ total: unknown }>`select count(*) as total from users`.execute(store.db);
        assert.equal(rows[0]?.total, 1);
      });
    });
  });
}

/** Awaits a rejection with a ServerError of this code, and returns it for further checks. */
export async function rejectsWithCode(promise: Promise<unknown>, code: ServerErrorCode): Promise<ServerError> {
  let caught: unknown;
  await assert.rejects(promise, (error) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof ServerError, `expected a ServerError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}
