/**
 * `gatehouse users add|list|disable|passwd`: passwords from stdin or a terminal (never a flag),
 * exact refusals, and that disabling or a new password ends the user's sessions and tokens at a
 * server running on the same store.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { CliIo } from '../../src/cli/cli-io.ts';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { verifyPassword } from '../../src/issuer/users/password-hash.ts';
import { adminFixture, claimsOf, errorText, ISSUER, PASSWORD, type AdminFixture } from './support/admin-fixture.ts';

describe('gatehouse users', () => {
  let fixture: AdminFixture;
  beforeEach(async () => {
    fixture = await adminFixture();
  });
  afterEach(() => fixture.dispose());

  it('add --password-stdin: one confirmation line; list shows the user, never the hash', async () => {
    const added = await fixture.run(['users', 'add', 'alice', '--roles', 'admin,ops', '--roles', 'billing', '--password-stdin'], { stdin: `${PASSWORD}\n` });
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stderr, '');
    const id = /^added user alice \(id ([0-9a-f-]{36})\) with roles admin, ops, billing\n$/.exec(added.stdout)?.[1];
    assert.ok(id, added.stdout);

    const listed = await fixture.run(['users', 'list', '--json']);
    const [user] = JSON.parse(listed.stdout) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(user!), ['username', 'id', 'roles', 'disabled', 'createdAt', 'passwordChangedAt']);
    assert.deepEqual({ ...user, createdAt: undefined, passwordChangedAt: undefined }, { username: 'alice', id, roles: ['admin', 'ops', 'billing'], disabled: false, createdAt: undefined, passwordChangedAt: undefined });

    const table = await fixture.run(['users', 'list']);
    assert.match(table.stdout, /^USERNAME {2}ID {36}ROLES {14}STATUS {3}CREATED\n/);
    assert.match(table.stdout, new RegExp(`^alice {5}${id} {2}admin,ops,billing {2}enabled {2}\\S+Z\\n$`, 'm'));
    assert.doesNotMatch(listed.stdout + table.stdout, /argon2|\$/);

    // The trailing newline of stdin is not part of the password.
    const store = (await fixture.openIssuer()).services.store;
    assert.equal(await verifyPassword((await store.users.findById(id))!.passwordHash, PASSWORD), true);
  });

  it('add: a name taken in any letter case is exit 5; a short password and a bad name are exit 2', async () => {
    await fixture.addUser('alice');
    assert.deepEqual(await fixture.run(['users', 'add', 'Alice', '--password-stdin'], { stdin: PASSWORD }), {
      code: 5,
      stdout: '',
      stderr: errorText('a user named "Alice" exists already (names are unique in any letter case)', 'pick another name, or set their password with `gatehouse users passwd Alice`'),
    });
    assert.deepEqual(await fixture.run(['users', 'add', 'bob', '--password-stdin'], { stdin: 'too short\n' }), { code: 2, stdout: '', stderr: errorText('The password is shorter than 12 characters.') });
    assert.deepEqual(await fixture.run(['users', 'add', ' bob', '--password-stdin'], { stdin: PASSWORD }), {
      code: 2,
      stdout: '',
      stderr: errorText('The username is empty, longer than 256 characters, has spaces at either end, or contains control characters.'),
    });
    assert.equal(JSON.parse((await fixture.run(['users', 'list', '--json'])).stdout).length, 1);
  });

  it('add without --password-stdin and without a terminal: exit 2, with the pipe to use', async () => {
    assert.deepEqual(await fixture.run(['users', 'add', 'bob']), {
      code: 2,
      stdout: '',
      stderr: errorText('no password: stdin is not a terminal to ask on', 'pipe it in with --password-stdin, e.g. `printf \'%s\' "$PASSWORD" | gatehouse users add bob --password-stdin`'),
    });
    assert.equal((await fixture.run(['users', 'add', 'Bob Smith'])).stderr.split('\n')[1], '  → pipe it in with --password-stdin, e.g. `printf \'%s\' "$PASSWORD" | gatehouse users add \'Bob Smith\' --password-stdin`');
  });

  it('add on a terminal asks twice without echo; two different answers change nothing (exit 2)', async () => {
    const typed = await onTerminal(['users', 'add', 'carol', '--config', fixture.configPath], fixture.env, [PASSWORD, PASSWORD]);
    assert.equal(typed.code, 0, typed.stderr);
    assert.equal(typed.stderr, 'New password: \nSame password again: \n');
    assert.match(typed.stdout, /^added user carol \(id [0-9a-f-]+\) with no roles\n$/);

    const differ = await onTerminal(['users', 'add', 'dave', '--config', fixture.configPath], fixture.env, [PASSWORD, `${PASSWORD}!`]);
    assert.deepEqual(differ, { code: 2, stdout: '', stderr: `New password: \nSame password again: \n${errorText('the two passwords differ; nothing was changed', 'run `gatehouse users add dave` again')}` });
    assert.deepEqual((JSON.parse((await fixture.run(['users', 'list', '--json'])).stdout) as { username: string }[]).map((user) => user.username), ['carol']);
  });

  it('disable: sessions revoked and earlier tokens refused at a running server after its tick; again changes nothing', async () => {
    const issuer = await fixture.openIssuer();
    const id = await fixture.addUser('alice');
    const family = await issuer.services.store.refreshTokens.createFamily({ userId: id, clientId: 'web', scope: 'openid', tokenHash: 'rt-alice', now: Date.now(), idleTtl: 3600_000, absoluteTtl: 86_400_000 });
    const earlier = claimsOf({ sub: id, sid: family.id, iat: Math.floor(Date.now() / 1000) - 10 });

    const disabled = await fixture.run(['users', 'disable', 'ALICE']);
    assert.deepEqual(disabled, { code: 0, stdout: 'disabled user alice: their sessions and access tokens are revoked; takes effect at running gateways within 10 s\n', stderr: '' });
    assert.equal((await issuer.services.store.refreshTokens.findFamily(family.id))?.revokedReason, 'user_disabled');
    assert.equal(issuer.services.revocations.isRevoked(earlier, 'kid', ISSUER), undefined, 'the server has not looked yet');
    await issuer.tick();
    assert.equal(issuer.services.revocations.isRevoked(earlier, 'kid', ISSUER), 'subject');
    assert.equal((await issuer.services.store.users.findById(id))?.disabled, true);
    assert.match((await fixture.run(['users', 'list'])).stdout, /^alice .* disabled {2}\S+Z$/m);

    assert.deepEqual(await fixture.run(['users', 'disable', 'alice']), { code: 0, stdout: 'user alice is already disabled; nothing changed\n', stderr: '' });
  });

  it('disable and passwd of an unknown user: exit 4, pointing at users list', async () => {
    const unknown = { code: 4, stdout: '', stderr: errorText('no user named "carol"', 'see who exists with `gatehouse users list`') };
    assert.deepEqual(await fixture.run(['users', 'disable', 'carol']), unknown);
    assert.deepEqual(await fixture.run(['users', 'passwd', 'carol', '--password-stdin'], { stdin: PASSWORD }), unknown);
  });

  it('passwd: the new password works, the old one not; the user\'s sessions and tokens end', async () => {
    const issuer = await fixture.openIssuer();
    const id = await fixture.addUser('alice');
    const family = await issuer.services.store.refreshTokens.createFamily({ userId: id, clientId: 'web', scope: 'openid', tokenHash: 'rt-alice', now: Date.now(), idleTtl: 3600_000, absoluteTtl: 86_400_000 });
    const changed = await fixture.run(['users', 'passwd', 'alice', '--password-stdin'], { stdin: 'a brand new passphrase\n' });
    assert.deepEqual(changed, { code: 0, stdout: 'changed the password of alice: their sessions and access tokens are revoked; takes effect at running gateways within 10 s\n', stderr: '' });
    const hash = (await issuer.services.store.users.findById(id))!.passwordHash;
    assert.equal(await verifyPassword(hash, 'a brand new passphrase'), true);
    assert.equal(await verifyPassword(hash, PASSWORD), false);
    assert.equal((await issuer.services.store.refreshTokens.findFamily(family.id))?.revokedReason, 'password_changed');
    await issuer.tick();
    assert.equal(issuer.services.revocations.isRevoked(claimsOf({ sub: id, iat: Math.floor(Date.now() / 1000) - 10 }), 'kid', ISSUER), 'subject');
  });

  it('passwd: no --password-stdin without a terminal, or a short password: exit 2, nothing changes', async () => {
    await fixture.addUser('alice');
    assert.deepEqual(await fixture.run(['users', 'passwd', 'alice']), {
      code: 2,
      stdout: '',
      stderr: errorText('no password: stdin is not a terminal to ask on', 'pipe it in with --password-stdin, e.g. `printf \'%s\' "$PASSWORD" | gatehouse users passwd alice --password-stdin`'),
    });
    assert.deepEqual(await fixture.run(['users', 'passwd', 'alice', '--password-stdin'], { stdin: '' }), { code: 2, stdout: '', stderr: errorText('The password is shorter than 12 characters.') });
    const events = JSON.parse((await fixture.run(['audit', 'tail', '--json', '--type', 'user.password_changed'])).stdout) as unknown[];
    assert.equal(events.length, 0);
  });
});

/** Runs a command with stdin as a terminal in raw mode, answering each password prompt with the next line. */
async function onTerminal(argv: readonly string[], env: Readonly<Record<string, string>>, answers: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, rawMode: false, setRawMode(mode: boolean) {
    stdin.rawMode = mode;
  } });
  let stdout = '';
  let stderr = '';
  const pending = [...answers];
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: {
      write: (text: string) => {
        stderr += text;
        if (text.endsWith(': ')) {
          assert.equal(stdin.rawMode, true, 'asks only with echo off');
          // Typed key by key, with a slip corrected by Backspace.
          setImmediate(() => stdin.write(`x\u007f${pending.shift()}\r`));
        }
      },
    },
    stdin,
    env,
    cwd: process.cwd(),
    waitForStop: () => new Promise(() => {}),
  };
  const code = await runCli(argv, io, COMMANDS);
  assert.equal(stdin.rawMode, false, 'echo is back on');
  return { code, stdout, stderr };
}
