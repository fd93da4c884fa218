/**
 * The command runner: the overview, per-command help, unknown commands and flags, exit codes, and
 * `token decode` as the simplest command (exact error texts: scripts and people read them).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { runGatehouse } from './support/run.ts';

const token = async () =>
  new SignJWT({ sub: 'alice', aud: 'orders', exp: 1_900_000_000 }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).sign(new Uint8Array(32).fill(7));

describe('gatehouse (the runner)', () => {
  it('lists every command with no arguments (exit 2) and with --help (exit 0)', async () => {
    const bare = await runGatehouse([]);
    assert.equal(bare.code, 2);
    assert.match(bare.stdout, /^Usage: gatehouse <command> \[flags\]$/m);
    assert.match(bare.stdout, /^ {2}token decode +show a token's header and claims \(no verification\)$/m);
    const help = await runGatehouse(['--help']);
    assert.equal(help.code, 0);
    assert.equal(help.stdout, bare.stdout);
  });

  it('gives every command a --help', async () => {
    const help = await runGatehouse(['token', 'decode', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: gatehouse token decode TOKEN \[--json\]$/m);
    assert.match(help.stdout, /--json {2}print JSON instead of text/);
  });

  it('says what to do on an unknown command, flag or missing argument (exit 2)', async () => {
    assert.deepEqual(await runGatehouse(['tokn']), { code: 2, stdout: '', stderr: 'gatehouse: unknown command "tokn"\n  → run `gatehouse --help` for the list of commands\n' });
    const sub = await runGatehouse(['token', 'decod']);
    assert.equal(sub.code, 2);
    assert.match(sub.stderr, /^gatehouse: unknown command "token decod"\n {2}→ one of: token decode/);
    assert.deepEqual(await runGatehouse(['token', 'decode', 'x', '--bogus']), { code: 2, stdout: '', stderr: 'gatehouse: unknown flag --bogus\n  → see `gatehouse token decode --help`\n' });
    assert.deepEqual(await runGatehouse(['token', 'decode']), { code: 2, stdout: '', stderr: 'gatehouse: missing argument: gatehouse token decode TOKEN [--json]\n  → see `gatehouse token decode --help`\n' });
    assert.equal((await runGatehouse(['token', 'decode', 'a', 'b'])).stderr, 'gatehouse: unexpected argument "b"\n  → usage: gatehouse token decode TOKEN [--json]\n');
    assert.equal((await runGatehouse(['start', '--config'])).stderr, 'gatehouse: flag --config needs a value\n  → see `gatehouse start --help`\n');
    assert.equal((await runGatehouse(['token', 'decode', 'x', '--json=1'])).stderr, 'gatehouse: flag --json takes no value\n  → see `gatehouse token decode --help`\n');
  });
});

describe('gatehouse token decode', () => {
  it('prints header and claims, and says it verified nothing', async () => {
    const run = await runGatehouse(['token', 'decode', await token()]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^ {2}alg {8}"HS256"$/m);
    assert.match(run.stdout, /^ {2}exp {8}1900000000 {2}\(2030-03-17T17:46:40\.000Z\)$/m);
    assert.equal(run.stderr, '(not verified: `gatehouse token verify` checks it)\n');
  });

  it('--json, and `-` reads stdin', async () => {
    const value = await token();
    const run = await runGatehouse(['token', 'decode', '-', '--json'], { stdin: `${value}\n` });
    assert.equal(run.code, 0);
    assert.deepEqual(JSON.parse(run.stdout), { header: { alg: 'HS256', typ: 'at+jwt' }, claims: { sub: 'alice', aud: 'orders', exp: 1_900_000_000 }, verified: false });
  });

  it('refuses a malformed token with the parser\'s reason (exit 1)', async () => {
    assert.deepEqual(await runGatehouse(['token', 'decode', 'abc']), {
      code: 1,
      stdout: '',
      stderr: 'gatehouse: not a token: malformed_token (a compact JWS has exactly three parts)\n  → pass the whole compact token: three base64url parts separated by dots\n',
    });
    const padded = (await token()).replace('.', '=.');
    assert.match((await runGatehouse(['token', 'decode', padded])).stderr, /^gatehouse: not a token: malformed_token/);
  });
});
