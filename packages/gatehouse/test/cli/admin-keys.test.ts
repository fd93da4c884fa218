/**
 * `gatehouse keys list|rotate|revoke` against a store an issuer (a running server) also uses:
 * what the command changes, that server sees on its next tick.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { adminFixture, claimsOf, errorText, ISSUER, type AdminFixture } from './support/admin-fixture.ts';

interface ListedKey {
  kid: string;
  alg: string;
  state: string;
  createdAt: string;
  activatesAt: string;
  retiresAt: string | null;
  unpublishedAfter: string | null;
  revokedAt: string | null;
}

describe('gatehouse keys', () => {
  let fixture: AdminFixture;
  beforeEach(async () => {
    fixture = await adminFixture();
  });
  afterEach(() => fixture.dispose());

  const listKeys = async (): Promise<ListedKey[]> => JSON.parse((await fixture.run(['keys', 'list', '--json'])).stdout) as ListedKey[];

  it('list: the keys a server made, with state and dates, as a table and as JSON', async () => {
    const issuer = await fixture.openIssuer();
    const [active] = issuer.services.keys.records();
    const listed = await listKeys();
    assert.equal(listed.length, 1);
    assert.deepEqual(listed[0], {
      kid: active!.kid,
      alg: 'ES256',
      state: 'active',
      createdAt: new Date(active!.createdAt).toISOString(),
      activatesAt: new Date(active!.activatesAt).toISOString(),
      retiresAt: new Date(active!.activatesAt + 24 * 3600_000).toISOString(),
      unpublishedAfter: null,
      revokedAt: null,
    });
    const table = await fixture.run(['keys', 'list']);
    assert.equal(table.code, 0);
    const lines = table.stdout.split('\n');
    assert.match(lines[0]!, /^KID {2,}ALG {4}STATE {3}CREATED {15}ACTIVATES {13}RETIRES$/);
    assert.match(lines[1]!, new RegExp(`^${active!.kid} {2}ES256 {2}active {2}\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ {2}\\S+Z {2}\\S+Z$`));
    assert.equal(lines.length, 3);
    assert.doesNotMatch(table.stdout + JSON.stringify(listed), /sealed|"d"|private/i, 'no private key material');
  });

  it('rotate: a pending successor, published at once, signing after the publish lead; a running server publishes it on its next tick', async () => {
    const issuer = await fixture.openIssuer();
    const [current] = issuer.services.keys.records();
    const rotated = await fixture.run(['keys', 'rotate']);
    assert.equal(rotated.code, 0, rotated.stderr);
    const match = /^created key (\S+) \(ES256\): published now, signs from (\S+Z) \(in 10 min\); takes effect at running gateways within 10 s\n$/.exec(rotated.stdout);
    assert.ok(match, rotated.stdout);
    const [, kid, signsFrom] = match;
    assert.equal(rotated.stderr, '');

    const listed = await listKeys();
    assert.deepEqual(listed.map((key) => [key.kid, key.state]), [[current!.kid, 'active'], [kid, 'pending']]);
    assert.equal(listed[1]!.activatesAt.replace(/\.\d{3}Z$/, 'Z'), signsFrom);
    assert.equal(listed[0]!.retiresAt, listed[1]!.activatesAt, 'the active key retires when its successor activates');

    assert.deepEqual(issuer.services.keys.jwks().keys.map((key) => key.kid), [current!.kid], 'the server has not looked yet');
    await issuer.tick();
    assert.deepEqual(issuer.services.keys.jwks().keys.map((key) => key.kid), [current!.kid, kid]);
    assert.equal(issuer.services.keys.signingKey().kid, current!.kid, 'it does not sign yet');
  });

  it('rotate --json; and again while a successor is pending: exit 5, naming it', async () => {
    await fixture.openIssuer();
    const rotated = await fixture.run(['keys', 'rotate', '--json']);
    const added = JSON.parse(rotated.stdout) as { kid: string; alg: string; state: string; activatesAt: string };
    assert.equal(added.state, 'pending');
    assert.equal(added.alg, 'ES256');
    const again = await fixture.run(['keys', 'rotate']);
    assert.deepEqual(again, {
      code: 5,
      stdout: '',
      stderr: errorText(
        `key ${added.kid} is already pending: it starts signing at ${added.activatesAt.replace(/\.\d{3}Z$/, 'Z')}`,
        'wait until it signs before rotating again, or revoke it with `gatehouse keys revoke KID --yes`',
      ),
    });
    assert.equal((await listKeys()).length, 2);
  });

  it('revoke without --yes refuses (exit 2) and says what revoking does; nothing changes', async () => {
    const issuer = await fixture.openIssuer();
    const [active] = issuer.services.keys.records();
    assert.deepEqual(await fixture.run(['keys', 'revoke', active!.kid]), {
      code: 2,
      stdout: '',
      stderr: errorText(
        `not revoking key ${active!.kid} without --yes`,
        'revoking is immediate and final: every token the key signed stops working at once, and its users must sign in again; add --yes to go ahead',
      ),
    });
    assert.deepEqual((await listKeys()).map((key) => key.state), ['active']);
    assert.deepEqual(await fixture.run(['keys', 'revoke']), { code: 2, stdout: '', stderr: errorText('missing argument: gatehouse keys revoke KID --yes', 'see `gatehouse keys revoke --help`') });
  });

  it('revoke --yes: the key leaves the JWKS and its tokens are refused at a running server after its tick; a new key signs', async () => {
    const issuer = await fixture.openIssuer();
    const [active] = issuer.services.keys.records();
    const claims = claimsOf({ sub: 'alice' });
    assert.equal(issuer.services.revocations.isRevoked(claims, active!.kid, ISSUER), undefined);

    const revoked = await fixture.run(['keys', 'revoke', active!.kid, '--yes']);
    assert.equal(revoked.code, 0, revoked.stderr);
    const listed = await listKeys();
    const successor = listed.find((key) => key.state === 'active')!;
    assert.equal(revoked.stdout, `revoked key ${active!.kid}: every token it signed is refused; ${successor.kid} signs from now on; takes effect at running gateways within 10 s\n`);
    assert.deepEqual(listed.map((key) => key.state), ['revoked', 'active']);
    assert.equal(listed[0]!.retiresAt, listed[0]!.revokedAt);

    assert.equal(issuer.services.keys.isKeyRevoked(active!.kid), false, 'the server has not looked yet');
    await issuer.tick();
    assert.equal(issuer.services.keys.isKeyRevoked(active!.kid), true);
    assert.equal(issuer.services.revocations.isRevoked(claims, active!.kid, ISSUER), 'key');
    assert.deepEqual(issuer.services.keys.jwks().keys.map((key) => key.kid), [successor.kid]);
    assert.equal(issuer.services.keys.signingKey().kid, successor.kid);

    const again = await fixture.run(['keys', 'revoke', active!.kid, '--yes']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, new RegExp(`^key ${active!.kid} was already revoked at \\S+Z; nothing changed\\n$`));
  });

  it('revoke of an unknown kid is exit 4, pointing at keys list', async () => {
    await fixture.openIssuer();
    assert.deepEqual(await fixture.run(['keys', 'revoke', 'no-such-kid', '--yes']), {
      code: 4,
      stdout: '',
      stderr: errorText('no signing key with kid "no-such-kid"', 'list the keys with `gatehouse keys list`'),
    });
  });
});
