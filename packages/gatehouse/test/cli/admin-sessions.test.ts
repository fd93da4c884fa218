/**
 * `gatehouse sessions list|revoke`: sessions are refresh-token families; revoking one goes through
 * the store's revocation list, so a server running on the same store refuses its access tokens
 * after its next tick, as the output says.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { OpenIssuer } from '../../src/issuer/open-issuer.ts';
import type { RefreshFamily } from '../../src/store/index.ts';
import { adminFixture, claimsOf, errorText, ISSUER, type AdminFixture } from './support/admin-fixture.ts';

const HOUR = 3600_000;
const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ';

interface ListedSession {
  id: string;
  userId: string;
  username: string | null;
  clientId: string;
  state: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  revokedAt: string | null;
  revokedReason: string | null;
}

describe('gatehouse sessions', () => {
  let fixture: AdminFixture;
  let issuer: OpenIssuer;
  let aliceId: string;
  let bobId: string;
  let tokens = 0;

  beforeEach(async () => {
    fixture = await adminFixture();
    tokens = 0;
    issuer = await fixture.openIssuer();
    aliceId = await fixture.addUser('alice');
    bobId = await fixture.addUser('bob');
  });
  afterEach(() => fixture.dispose());

  const signIn = (userId: string, clientId = 'web', { now = Date.now(), idleTtl = 12 * HOUR } = {}): Promise<RefreshFamily> =>
    issuer.services.store.refreshTokens.createFamily({ userId, clientId, scope: 'openid orders:read', tokenHash: `rt-${++tokens}`, now, idleTtl, absoluteTtl: 7 * 24 * HOUR });
  const listed = async (...argv: string[]): Promise<ListedSession[]> => JSON.parse((await fixture.run(['sessions', 'list', '--json', ...argv])).stdout) as ListedSession[];

  it('list: newest first, with user, client, dates and state; --user, --active, --limit', async () => {
    const old = await signIn(aliceId, 'portal', { now: Date.now() - 2 * HOUR, idleTtl: HOUR });
    const web = await signIn(aliceId, 'web', { now: Date.now() - 1000 });
    const bobs = await signIn(bobId);

    const table = await fixture.run(['sessions', 'list']);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^ID {36}USER {3}CLIENT {2}CREATED {15}LAST USED {13}EXPIRES {15}STATE$/);
    assert.match(lines[1]!, new RegExp(`^${bobs.id} {2}bob {4}web {5}${ISO} {2}${ISO} {2}${ISO} {2}active$`));
    assert.match(lines[2]!, new RegExp(`^${web.id} {2}alice {2}web {5}${ISO} {2}${ISO} {2}${ISO} {2}active$`));
    assert.match(lines[3]!, new RegExp(`^${old.id} {2}alice {2}portal {2}${ISO} {2}${ISO} {2}${ISO} {2}expired$`));
    assert.equal(lines.length, 4);

    const alices = await listed('--user', 'Alice');
    assert.deepEqual(alices.map((session) => [session.id, session.username, session.clientId, session.state]), [[web.id, 'alice', 'web', 'active'], [old.id, 'alice', 'portal', 'expired']]);
    assert.equal(alices[0]!.userId, aliceId);
    assert.equal(alices[0]!.createdAt, new Date(web.createdAt).toISOString());
    assert.deepEqual((await listed('--active')).map((session) => session.id), [bobs.id, web.id]);

    const limited = await fixture.run(['sessions', 'list', '--limit', '1']);
    assert.equal(limited.stdout.trimEnd().split('\n').length, 2);
    assert.equal(limited.stderr, '(the newest 1 shown: narrow with --user or --active, or raise --limit)\n');
  });

  it('list: an unknown user is exit 4, a bad --limit exit 2', async () => {
    assert.deepEqual(await fixture.run(['sessions', 'list', '--user', 'carol']), { code: 4, stdout: '', stderr: errorText('no user named "carol"', 'see who exists with `gatehouse users list`') });
    assert.deepEqual(await fixture.run(['sessions', 'list', '--limit', '0']), { code: 2, stdout: '', stderr: errorText('--limit must be a whole number from 1 to 1000, not "0"', 'e.g. --limit 100') });
  });

  it('revoke ID: the family and its access tokens; a running server refuses them after its tick', async () => {
    const family = await signIn(aliceId);
    const other = await signIn(aliceId, 'portal');
    const token = claimsOf({ sub: aliceId, sid: family.id });

    const revoked = await fixture.run(['sessions', 'revoke', family.id]);
    assert.deepEqual(revoked, { code: 0, stdout: `revoked session ${family.id} of alice at web: its refresh token and access tokens are refused; takes effect at running gateways within 10 s\n`, stderr: '' });
    assert.equal(issuer.services.revocations.isRevoked(token, 'kid', ISSUER), undefined, 'the server has not looked yet');
    await issuer.tick();
    assert.equal(issuer.services.revocations.isRevoked(token, 'kid', ISSUER), 'family');
    assert.equal(issuer.services.revocations.isRevoked(claimsOf({ sub: aliceId, sid: other.id }), 'kid', ISSUER), undefined, 'her other session stays');
    assert.equal((await issuer.services.store.refreshTokens.inspect('rt-1', Date.now())).status, 'revoked');

    // Both were signed in within the same millisecond or so: compare by id, not by list order.
    const alices = await listed('--user', 'alice');
    assert.deepEqual(alices.map((row) => row.id).sort(), [family.id, other.id].sort());
    assert.equal(alices.find((row) => row.id === other.id)!.state, 'active');
    const revokedRow = (await listed()).find((row) => row.id === family.id)!;
    assert.equal(revokedRow.state, 'revoked');
    assert.equal(revokedRow.revokedReason, 'revoked by operator');

    const events = JSON.parse((await fixture.run(['audit', 'tail', '--type', 'session.revoked', '--json'])).stdout) as { subject: string; clientId: string; details: unknown }[];
    assert.deepEqual(events.map((event) => [event.subject, event.clientId, event.details]), [[aliceId, 'web', { family_id: family.id, via: 'cli' }]]);

    const again = await fixture.run(['sessions', 'revoke', family.id]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, new RegExp(`^session ${family.id} of alice at web was already revoked at ${ISO} \\(revoked by operator\\); its tokens are refused\\n$`));
  });

  it('revoke --user: every session and access token of the user, not other users\'', async () => {
    const first = await signIn(aliceId, 'web', { now: Date.now() - 3000 });
    const second = await signIn(aliceId, 'portal', { now: Date.now() - 2000 });
    const bobs = await signIn(bobId, 'web', { now: Date.now() - 1000 });
    const revoked = await fixture.run(['sessions', 'revoke', '--user', 'alice']);
    assert.deepEqual(revoked, { code: 0, stdout: 'revoked 2 sessions of alice and every access token issued to them so far; takes effect at running gateways within 10 s\n', stderr: '' });
    assert.deepEqual((await listed()).map((session) => [session.id, session.state]), [[bobs.id, 'active'], [second.id, 'revoked'], [first.id, 'revoked']]);
    await issuer.tick();
    assert.equal(issuer.services.revocations.isRevoked(claimsOf({ sub: aliceId, iat: Math.floor(Date.now() / 1000) - 5 }), 'kid', ISSUER), 'subject', 'even a token without sid');
    assert.equal(issuer.services.revocations.isRevoked(claimsOf({ sub: bobId, sid: bobs.id }), 'kid', ISSUER), undefined);
    const events = JSON.parse((await fixture.run(['audit', 'tail', '--type', 'session.revoked', '--json'])).stdout) as { details: { family_id: string } }[];
    assert.deepEqual(events.map((event) => event.details.family_id).sort(), [first.id, second.id].sort());
  });

  it('revoke: an unknown session or user is exit 4; neither or both of ID and --user is exit 2', async () => {
    assert.deepEqual(await fixture.run(['sessions', 'revoke', 'no-such-session']), { code: 4, stdout: '', stderr: errorText('no session with id "no-such-session"', 'list the sessions with `gatehouse sessions list`') });
    assert.deepEqual(await fixture.run(['sessions', 'revoke', '--user', 'carol']), { code: 4, stdout: '', stderr: errorText('no user named "carol"', 'see who exists with `gatehouse users list`') });
    assert.deepEqual(await fixture.run(['sessions', 'revoke']), { code: 2, stdout: '', stderr: errorText('say which sessions: a session ID or --user NAME', 'see `gatehouse sessions revoke --help`') });
    assert.deepEqual(await fixture.run(['sessions', 'revoke', 'some-id', '--user', 'alice']), { code: 2, stdout: '', stderr: errorText('give a session ID or --user NAME, not both', 'see `gatehouse sessions revoke --help`') });
  });
});
