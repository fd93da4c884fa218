/**
 * `gatehouse audit tail`: the security events the store keeps, oldest first, as lines or JSON,
 * filtered and limited; --follow prints new events as they are recorded until it is stopped.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { CliIo } from '../../src/cli/cli-io.ts';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { openStore, type NewSecurityEvent, type Store } from '../../src/store/index.ts';
import { adminFixture, errorText, type AdminFixture } from './support/admin-fixture.ts';

const AT = Date.UTC(2030, 2, 17, 17, 46, 40);

describe('gatehouse audit tail', () => {
  let fixture: AdminFixture;
  let store: Store;
  beforeEach(async () => {
    fixture = await adminFixture();
    store = await openStore(`sqlite:${join(fixture.dir, 'data', 'gatehouse.db')}`);
  });
  afterEach(async () => {
    await store.close();
    await fixture.dispose();
  });

  const record = (index: number, event: Partial<NewSecurityEvent> = {}) =>
    store.securityEvents.append({ at: AT + index * 1000, type: 'user.created', severity: 'info', subject: `user-${index}`, details: { username: `user${index}` }, ...event });

  it('prints the newest 20, oldest first: time, severity, type, then subject, client, ip and details', async () => {
    for (let i = 1; i <= 22; i++) await record(i);
    await record(23, { type: 'refresh.reused', severity: 'critical', subject: 'u-1', clientId: 'web', ip: '203.0.113.7', details: { family_id: 'fam-1', reason: 'used twice', nested: { n: 2 } } });
    const run = await fixture.run(['audit', 'tail']);
    assert.equal(run.code, 0);
    assert.equal(run.stderr, '');
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 20);
    assert.equal(lines[0], '2030-03-17T17:46:44.000Z  info      user.created  subject=user-4 username=user4');
    assert.equal(lines[19], '2030-03-17T17:47:03.000Z  critical  refresh.reused  subject=u-1 client=web ip=203.0.113.7 family_id=fam-1 reason="used twice" nested={"n":2}');
  });

  it('--limit, --type and --json', async () => {
    await record(1);
    await record(2, { type: 'key.revoked', severity: 'critical', subject: null, details: { kid: 'k1', alg: 'ES256' } });
    await record(3);
    assert.deepEqual((await fixture.run(['audit', 'tail', '--limit', '1'])).stdout, '2030-03-17T17:46:43.000Z  info      user.created  subject=user-3 username=user3\n');
    assert.deepEqual((await fixture.run(['audit', 'tail', '--type', 'key.revoked'])).stdout, '2030-03-17T17:46:42.000Z  critical  key.revoked  kid=k1 alg=ES256\n');
    const json = await fixture.run(['audit', 'tail', '--json', '--limit', '2']);
    assert.deepEqual(JSON.parse(json.stdout), [
      { id: 2, at: '2030-03-17T17:46:42.000Z', type: 'key.revoked', severity: 'critical', subject: null, clientId: null, ip: null, details: { kid: 'k1', alg: 'ES256' } },
      { id: 3, at: '2030-03-17T17:46:43.000Z', type: 'user.created', severity: 'info', subject: 'user-3', clientId: null, ip: null, details: { username: 'user3' } },
    ]);
    assert.deepEqual(await fixture.run(['audit', 'tail', '--type', 'refresh.reused']), { code: 0, stdout: '', stderr: 'no refresh.reused events\n' });
  });

  it('shows what the other commands record', async () => {
    await fixture.addUser('alice');
    await fixture.run(['users', 'disable', 'alice']);
    const types = (JSON.parse((await fixture.run(['audit', 'tail', '--json'])).stdout) as { type: string }[]).map((event) => event.type);
    assert.deepEqual(types.filter((type) => type.startsWith('user.')), ['user.created', 'user.disabled']);
  });

  it('refuses a bad --limit or --type (exit 2)', async () => {
    assert.deepEqual(await fixture.run(['audit', 'tail', '--limit', 'ten']), { code: 2, stdout: '', stderr: errorText('--limit must be a whole number from 0 to 1000, not "ten"', 'e.g. --limit 20') });
    assert.deepEqual(await fixture.run(['audit', 'tail', '--limit', '1001']), { code: 2, stdout: '', stderr: errorText('--limit must be a whole number from 0 to 1000, not "1001"', 'e.g. --limit 20') });
    assert.deepEqual(await fixture.run(['audit', 'tail', '--type', 'refresh']), {
      code: 2,
      stdout: '',
      stderr: errorText('--type must be an event type like refresh.reused, not "refresh"', 'the types are listed in docs/reference/errors.md ("Security events")'),
    });
    assert.deepEqual(await fixture.run(['audit', 'tail', '--follow', 'x']), { code: 2, stdout: '', stderr: errorText('unexpected argument "x"', 'usage: gatehouse audit tail [--limit N] [--type TYPE] [--follow] [--json]') });
  });

  it('--follow prints new events as they are recorded, of the type asked for, until stopped (exit 0)', async () => {
    await record(1);
    const tail = startGatehouse(['audit', 'tail', '--follow', '--type', 'user.created'], fixture);
    await tail.waitForOutput('subject=user-1 ');
    await record(2, { type: 'key.created', subject: null, details: { kid: 'k2' } });
    await record(3);
    await tail.waitForOutput('subject=user-3 ');
    tail.stop();
    assert.equal(await tail.exited, 0);
    assert.equal(tail.stdout(), [
      '2030-03-17T17:46:41.000Z  info      user.created  subject=user-1 username=user1',
      '2030-03-17T17:46:43.000Z  info      user.created  subject=user-3 username=user3',
      '',
    ].join('\n'));
    assert.equal(tail.stderr(), '(following new events; Ctrl-C to stop)\n');
  });

  it('--follow --json --limit 0: one JSON object per line, new events only', async () => {
    await record(1);
    const tail = startGatehouse(['audit', 'tail', '-f', '--json', '--limit', '0'], fixture);
    await tail.waitForOutput('following new events', 'stderr');
    await record(2);
    await tail.waitForOutput('user-2');
    tail.stop();
    assert.equal(await tail.exited, 0);
    assert.deepEqual(tail.stdout().trimEnd().split('\n').map((line) => (JSON.parse(line) as { subject: string }).subject), ['user-2']);
  });
});

interface RunningCommand {
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout (or stderr) contains `text`; rejects after 5 s. */
  waitForOutput(text: string, stream?: 'stdout' | 'stderr'): Promise<void>;
  /** Ctrl-C. */
  stop(): void;
  readonly exited: Promise<number>;
}

/** Starts a long-running command in-process, to watch its output while it runs. */
function startGatehouse(argv: readonly string[], fixture: AdminFixture): RunningCommand {
  let stdout = '';
  let stderr = '';
  let stopNow!: (signal: string) => void;
  const stopped = new Promise<string>((resolve) => (stopNow = resolve));
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Readable.from([]),
    env: fixture.env,
    cwd: fixture.dir,
    waitForStop: () => stopped,
  };
  const exited = runCli(argv, io, COMMANDS);
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    async waitForOutput(text, stream = 'stdout') {
      const deadline = Date.now() + 5000;
      while (!(stream === 'stdout' ? stdout : stderr).includes(text)) {
        if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(text)} in 5 s; stdout: ${stdout}; stderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: () => stopNow('SIGINT'),
    exited,
  };
}
