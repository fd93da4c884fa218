/**
 * What every admin command shares: --help, the configuration it loads (missing, invalid, --config,
 * $GATEHOUSE_CONFIG), the master key only for the commands that need it, --json on every read
 * command, and usage errors with the exact text scripts and people read.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { adminFixture, errorText, type AdminFixture } from './support/admin-fixture.ts';
import { runGatehouse } from './support/run.ts';

/** Each admin command with arguments that get it as far as loading the configuration. */
const COMMAND_LINES: readonly (readonly string[])[] = [
  ['keys', 'list'],
  ['keys', 'rotate'],
  ['keys', 'revoke', 'some-kid', '--yes'],
  ['users', 'add', 'bob', '--password-stdin'],
  ['users', 'list'],
  ['users', 'disable', 'bob'],
  ['users', 'passwd', 'bob', '--password-stdin'],
  ['clients', 'add', 'svc', '--grants', 'client_credentials'],
  ['clients', 'list'],
  ['sessions', 'list'],
  ['sessions', 'revoke', 'some-session'],
  ['audit', 'tail'],
];

const USAGES: Readonly<Record<string, string>> = {
  'keys list': '[--json]',
  'keys rotate': '[--json]',
  'keys revoke': 'KID --yes',
  'users add': 'NAME [--roles ROLE,…] [--password-stdin]',
  'users list': '[--json]',
  'users disable': 'NAME',
  'users passwd': 'NAME [--password-stdin]',
  'clients add': 'ID --grants GRANT,… [--scopes …] [--audiences …] [--roles …] [--public] [--redirect-uri URL]… [--json]',
  'clients list': '[--json]',
  'sessions list': '[--user NAME] [--active] [--limit N] [--json]',
  'sessions revoke': 'ID | --user NAME',
  'audit tail': '[--limit N] [--type TYPE] [--follow] [--json]',
};

const READ_COMMANDS = [['keys', 'list'], ['users', 'list'], ['clients', 'list'], ['sessions', 'list'], ['audit', 'tail']] as const;

const empty = await mkdtemp(join(tmpdir(), 'gatehouse-cli-empty-'));
after(() => rm(empty, { recursive: true, force: true }));

describe('admin commands: help and the command line', () => {
  it('every one has --help with its usage line and --config; the overview lists them all', async () => {
    const overview = await runGatehouse(['--help']);
    for (const [name, usage] of Object.entries(USAGES)) {
      const help = await runGatehouse([...name.split(' '), '--help']);
      assert.equal(help.code, 0, name);
      assert.ok(help.stdout.includes(`\nUsage: gatehouse ${name} ${usage}\n`), `${name}: ${help.stdout}`);
      assert.match(help.stdout, /-c, --config FILE {2,}the configuration file/, name);
      assert.match(overview.stdout, new RegExp(`^ {2}${name} {2,}\\S`, 'm'), name);
    }
    for (const [group, verb] of READ_COMMANDS) assert.match((await runGatehouse([group, verb, '--help'])).stdout, /--json +print JSON instead of text/, `${group} ${verb}`);
  });

  it('an unknown flag or subcommand is exit 2, with where to look', async () => {
    assert.deepEqual(await runGatehouse(['users', 'list', '--bogus']), { code: 2, stdout: '', stderr: errorText('unknown flag --bogus', 'see `gatehouse users list --help`') });
    assert.deepEqual(await runGatehouse(['users', 'remove', 'bob']), {
      code: 2,
      stdout: '',
      stderr: errorText('unknown command "users remove"', 'one of: users add, users list, users disable, users passwd (gatehouse users <command> --help)'),
    });
    assert.deepEqual(await runGatehouse(['users', 'disable']), { code: 2, stdout: '', stderr: errorText('missing argument: gatehouse users disable NAME', 'see `gatehouse users disable --help`') });
    assert.deepEqual(await runGatehouse(['keys', 'list', 'extra']), { code: 2, stdout: '', stderr: errorText('unexpected argument "extra"', 'usage: gatehouse keys list [--json]') });
  });
});

describe('admin commands: the configuration', () => {
  let fixture: AdminFixture;
  beforeEach(async () => {
    fixture = await adminFixture();
  });
  afterEach(() => fixture.dispose());

  it('without a configuration file every one is exit 3 and says how to get one', async () => {
    const expected = errorText(`cannot read the configuration file ${join(empty, 'gatehouse.yaml')}: no such file (ENOENT)`, 'create one with `gatehouse init`, or pass --config FILE');
    for (const argv of COMMAND_LINES) {
      assert.deepEqual(await runGatehouse(argv, { cwd: empty, env: fixture.env, stdin: 'a long enough password\n' }), { code: 3, stdout: '', stderr: expected }, argv.join(' '));
    }
  });

  it('an invalid configuration is exit 3 with the file, the place and what was expected', async () => {
    const broken = join(empty, 'broken.yaml');
    await writeFile(broken, 'issuer: 42\n');
    const run = await runGatehouse(['users', 'list', '--config', broken], { cwd: empty });
    assert.equal(run.code, 3);
    assert.equal(run.stderr, errorText(
      `${broken}: invalid configuration, 1 problem:\n  ${broken}:1:9 issuer: expected an absolute https URL without query or fragment (http only for localhost or 127.0.0.1), found 42`,
      'fix the file and run the command again (docs/reference/configuration.md)',
    ));
  });

  it('reads --config, else $GATEHOUSE_CONFIG, relative to the working directory', async () => {
    const viaFlag = await runGatehouse(['clients', 'list', '--config', fixture.configPath], { cwd: empty, env: fixture.env });
    assert.equal(viaFlag.code, 0, viaFlag.stderr);
    assert.match(viaFlag.stdout, /^billing-svc {2}config/m);
    const viaShortFlag = await runGatehouse(['clients', 'list', '-c', 'gatehouse.yaml'], { cwd: fixture.dir, env: fixture.env });
    assert.equal(viaShortFlag.stdout, viaFlag.stdout);
    const viaVariable = await runGatehouse(['clients', 'list'], { cwd: empty, env: { ...fixture.env, GATEHOUSE_CONFIG: fixture.configPath } });
    assert.equal(viaVariable.stdout, viaFlag.stdout);
  });

  it('commands that sign or revoke need the master key (exit 3); read commands and clients add do not', async () => {
    const withoutKey = { BILLING_SECRET: fixture.env.BILLING_SECRET };
    const expected = errorText(
      'no master key: set GATEHOUSE_MASTER_KEY or configure a master key file',
      'set GATEHOUSE_MASTER_KEY or keys.masterKeyFile in gatehouse.yaml (`gatehouse init` writes one)',
    );
    for (const argv of [['keys', 'rotate'], ['keys', 'revoke', 'kid', '--yes'], ['users', 'add', 'bob', '--password-stdin'], ['users', 'disable', 'bob'], ['sessions', 'revoke', 'id']]) {
      assert.deepEqual(await fixture.run(argv, { env: withoutKey, stdin: 'a long enough password' }), { code: 3, stdout: '', stderr: expected }, argv.join(' '));
    }
    for (const [group, verb] of READ_COMMANDS) {
      const run = await fixture.run([group, verb], { env: withoutKey });
      assert.equal(run.code, 0, `${group} ${verb}: ${run.stderr}`);
    }
    assert.equal((await fixture.run(['clients', 'add', 'svc', '--grants', 'client_credentials'], { env: withoutKey })).code, 0);
  });

  it('every read command prints one JSON document with --json, also on an empty store', async () => {
    for (const [group, verb] of READ_COMMANDS) {
      const run = await fixture.run([group, verb, '--json']);
      assert.equal(run.code, 0, `${group} ${verb}: ${run.stderr}`);
      assert.equal(run.stderr, '');
      const value: unknown = JSON.parse(run.stdout);
      assert.ok(Array.isArray(value), `${group} ${verb}`);
      assert.equal(value.length, group === 'clients' ? 1 : 0, `${group} ${verb}`);
    }
  });

  it('on an empty store the text form says so on stderr, and prints no data', async () => {
    const notes: Record<string, string> = {
      'keys list': 'no signing keys yet: the first is generated when the server starts (or by `gatehouse keys rotate`)\n',
      'users list': 'no users yet: add one with `gatehouse users add NAME`\n',
      'sessions list': 'no sessions\n',
      'audit tail': 'no security events\n',
    };
    for (const [name, note] of Object.entries(notes)) assert.deepEqual(await fixture.run(name.split(' ')), { code: 0, stdout: '', stderr: note }, name);
  });
});
