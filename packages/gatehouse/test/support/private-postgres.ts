/**
 * A PostgreSQL cluster of the test's own, for fault tests that stop, restart and cut the server:
 * `initdb` into a temporary folder, trust authentication, its own port on 127.0.0.1 and its own
 * socket folder. The machine's shared cluster is never touched. Run as root (a container), the
 * server runs as the `postgres` OS user, since PostgreSQL refuses to run as root.
 *
 * Without the binaries the suite is skipped with the reason; in CI (CI=true) or with
 * GATEHOUSE_REQUIRE_POSTGRES=1 it fails instead, like registerPostgresSuite.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import pg from 'pg';
import { postgresRequired } from './postgres.ts';

const run = promisify(execFile);

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  readonly url: string;
  readonly port: number;
  /** Stops the server and waits until it is down. `fast` ends sessions cleanly; `immediate` is a crash (recovery at the next start). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  /** pg_terminate_backend on every client session but its own: the connection is cut under the clients. Resolves with how many. */
  terminateConnections(): Promise<number>;
  /** One statement on a connection of its own (to set up faults, or to look at what was committed). */
  query<Row = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<Row[]>;
  /** Stops the server and removes its folder. */
  close(): Promise<void>;
}

/** The folder with initdb, pg_ctl and postgres: GATEHOUSE_TEST_PG_BIN, else the newest /usr/lib/postgresql/N/bin, else the PATH's. */
export function postgresBinaries(): { bin: string } | { missing: string } {
  const candidates: string[] = [];
  if (process.env.GATEHOUSE_TEST_PG_BIN !== undefined) candidates.push(process.env.GATEHOUSE_TEST_PG_BIN);
  try {
    const versions = readdirSync('/usr/lib/postgresql').filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => `/usr/lib/postgresql/${version}/bin`));
  } catch {
    // not a Debian-style layout
  }
  candidates.push(...(process.env.PATH ?? '').split(':').filter((dir) => dir.length > 0));
  const bin = candidates.find((dir) => ['initdb', 'pg_ctl', 'postgres'].every((name) => existsSync(join(dir, name))));
  return bin === undefined ? { missing: 'the PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found; set GATEHOUSE_TEST_PG_BIN' } : { bin };
}

/** Who runs the server: this user, or `postgres` when this is root (PostgreSQL refuses root). */
function serverUser(): { uid: number; gid: number; asUser: (command: string, args: string[]) => [string, string[]] } | { missing: string } {
  if (process.getuid?.() !== 0) return { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1, asUser: (command, args) => [command, args] };
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0 || gid.status !== 0) return { missing: 'running as root and there is no `postgres` OS user to run the server as' };
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()), asUser: (command, args) => ['runuser', ['-u', 'postgres', '--', command, ...args]] };
}

/** Why a private cluster cannot be started here, or undefined when it can. */
export function privatePostgresUnavailableReason(): string | undefined {
  const binaries = postgresBinaries();
  if ('missing' in binaries) return binaries.missing;
  const user = serverUser();
  return 'missing' in user ? user.missing : undefined;
}

/**
 * Registers a suite that needs a private cluster: `register` runs when one can be started;
 * otherwise one test that is skipped (with the reason) or, when PostgreSQL is required, fails.
 */
export function registerPrivatePostgresSuite(name: string, register: () => void): void {
  const reason = privatePostgresUnavailableReason();
  if (reason === undefined) {
    register();
    return;
  }
  if (postgresRequired()) {
    test(name, () => assert.fail(`${reason}. PostgreSQL is required here (CI=true or GATEHOUSE_REQUIRE_POSTGRES=1).`));
    return;
  }
  test(name, { skip: reason }, () => {});
}

/** A port nothing listens on now (the server binds it moments later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Clusters still running, stopped hard if the test process exits without closing them. */
const running = new Set<() => void>();
process.once('exit', () => {
  for (const kill of running) kill();
});

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const binaries = postgresBinaries();
  const user = serverUser();
  if ('missing' in binaries) throw new Error(binaries.missing);
  if ('missing' in user) throw new Error(user.missing);
  const tool = (name: string, args: string[]): [string, string[]] => user.asUser(join(binaries.bin, name), args);

  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pg-'));
  chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const serverOptions = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    // A throwaway cluster: durability against an OS crash is not what these tests are about.
    '-c fsync=off',
    '-c full_page_writes=off',
  ].join(' ');

  const pgCtl = async (args: string[]): Promise<void> => {
    const [command, argv] = tool('pg_ctl', ['-D', data, ...args]);
    try {
      await run(command, argv, { cwd: dir });
    } catch (error) {
      const { stderr = '', stdout = '' } = error as { stderr?: string; stdout?: string };
      throw new Error(`pg_ctl ${args[0]} failed: ${stderr || stdout || String(error)}`);
    }
  };
  const start = () => pgCtl(['start', '-w', '-t', '30', '-l', log, '-o', serverOptions]);
  const stop = (mode: 'fast' | 'immediate' = 'fast') => pgCtl(['stop', '-w', '-t', '30', '-m', mode]);
  const killNow = (): void => {
    const [command, argv] = tool('pg_ctl', ['-D', data, 'stop', '-w', '-m', 'immediate']);
    spawnSync(command, argv, { stdio: 'ignore' });
  };

  try {
    const [command, argv] = tool('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await run(command, argv, { cwd: dir });
    running.add(killNow);
    await start();
  } catch (error) {
    running.delete(killNow);
    killNow();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const query = async <Row>(text: string, values: readonly unknown[] = []): Promise<Row[]> => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    client.on('error', () => {});
    await client.connect();
    try {
      return (await client.query(text, [...values])).rows as Row[];
    } finally {
      await client.end().catch(() => {});
    }
  };

  let closed = false;
  return {
    url,
    port,
    stop,
    start,
    async restart(mode = 'fast') {
      await stop(mode);
      await start();
    },
    async terminateConnections() {
      const rows = await query<{ terminated: boolean }>(
        `select pg_terminate_backend(pid) as terminated from pg_stat_activity
         where pid <> pg_backend_pid() and backend_type = 'client backend'`,
      );
      return rows.filter((row) => row.terminated).length;
    },
    query,
    async close() {
      if (closed) return;
      closed = true;
      await stop('immediate').catch(() => {});
      running.delete(killNow);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
