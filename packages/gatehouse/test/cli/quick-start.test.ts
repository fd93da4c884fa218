/**
 * The README's commands, run exactly as written in real processes from the repository root:
 * `npm start` (the quick start) and `npx gatehouse init --dir …` then `npx gatehouse start`. Both use the default loopback ports
 * (8080, 9000, 4000, 9001), so they run one after the other in this one file.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { request } from 'undici';

const ROOT = resolve(import.meta.dirname, '../../../..');
const children: ChildProcess[] = [];
const dirs: string[] = [];

after(async () => {
  for (const child of children) {
    try {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

interface Running {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with stdout once `text` appears in it (or rejects after timeoutMs). */
  waitFor(text: string, timeoutMs?: number): Promise<string>;
  exited(): Promise<number | null>;
}

/** Spawns in its own process group, so a signal reaches npm and node alike, as Ctrl-C in a terminal does. */
function run(command: string, args: readonly string[], cwd: string): Running {
  const child = spawn(command, args, { cwd, detached: true, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async waitFor(text, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!out.includes(text)) {
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before printing ${JSON.stringify(text)}\nstdout: ${out}\nstderr: ${err}`);
        if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(text)} after ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return out;
    },
    exited: () => exit,
  };
}

/** `curl -i [-X M] -H 'Authorization: Bearer T' URL` as printed, replayed with fetch. */
function replayCurl(line: string): Promise<Response> {
  const method = /-X (\w+)/.exec(line)?.[1] ?? 'GET';
  const authorization = /-H 'Authorization: ([^']+)'/.exec(line)![1]!;
  const url = /(http:\/\/\S+)$/.exec(line)![1]!;
  return fetch(url, { method, headers: { authorization } });
}

describe('the quick start: npm start', () => {
  it('brings up issuer, gateway and the demo upstream, prints a token that passes and one that is refused, and stops on Ctrl-C', async () => {
    await rm(join(ROOT, '.gatehouse-quickstart'), { recursive: true, force: true });
    const quick = run('npm', ['start'], ROOT);
    const out = await quick.waitFor('Ctrl-C to stop.');
    const curls = out.split('\n').filter((line) => line.trimStart().startsWith('curl '));
    assert.equal(curls.length, 2, out);

    const allowed = await replayCurl(curls[0]!.trim());
    assert.equal(allowed.status, 200);
    const body = (await allowed.json()) as { message: string; identity: { roles: string[]; route: string } };
    assert.match(body.message, /the gateway vouched for you/);
    assert.deepEqual(body.identity.roles, ['admin']);
    assert.equal(body.identity.route, 'demo-api');

    const refused = await replayCurl(curls[1]!.trim());
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="gatehouse", error="insufficient_scope"');

    const discovery = await fetch('http://localhost:9000/.well-known/openid-configuration');
    assert.equal(((await discovery.json()) as { issuer: string }).issuer, 'http://localhost:9000');
    // A top-level navigation, as a browser sends it (fetch() would say Sec-Fetch-Mode: cors).
    const page = await request(/in a browser: (\S+)/.exec(out)![1]!, { headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate' } });
    assert.equal(page.statusCode, 302, 'an unauthenticated page load is sent to sign in');
    await page.body.dump();
    assert.match(out, /sign in as "demo" with password \S{16}/);
    const decisions = (await readFile(join(ROOT, '.gatehouse-quickstart/decisions.log'), 'utf8').catch(() => '')).trim();
    assert.ok(decisions === '' || decisions.split('\n').every((line) => typeof JSON.parse(line).decision === 'string'));

    // Ctrl-C reaches npm and gatehouse (one process group); npm itself then dies of the signal.
    process.kill(-quick.child.pid!, 'SIGINT');
    await quick.exited();
    assert.match(quick.stderr(), /stopping…/);
    await assert.rejects(fetch('http://127.0.0.1:8080/api/hello'), 'the gateway has stopped listening');
  });
});

/** The README's own-deployment lines, run as written from the repository root (a test below holds the README to them). */
const README_INIT = 'npx gatehouse init --dir ./my-gatehouse';
const README_START = 'npx gatehouse start --config ./my-gatehouse/gatehouse.yaml';

describe('npx gatehouse init && npx gatehouse start, as the README shows them', () => {
  it('the README shows exactly these commands', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    for (const line of ['npm ci', 'npm start', 'npm test', README_INIT, README_START]) assert.match(readme, new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}( |$)`, 'm'), line);
  });

  it('writes the configuration, a 0600 master key and a demo user, refuses to overwrite, and serves discovery within seconds', async () => {
    const dir = join(ROOT, 'my-gatehouse');
    await rm(dir, { recursive: true, force: true });
    dirs.push(dir);
    const init = run('sh', ['-c', README_INIT], ROOT);
    assert.equal(await init.exited(), 0, init.stderr());
    assert.match(init.stdout(), /^created user "demo" \(role admin\) with password: \S{16}$/m);
    assert.equal((await stat(join(dir, 'gatehouse.key'))).mode & 0o777, 0o600);
    assert.match(await readFile(join(dir, 'gatehouse.yaml'), 'utf8'), /^issuer: http:\/\/localhost:9000 /m);

    const again = run('sh', ['-c', README_INIT], ROOT);
    assert.equal(await again.exited(), 5);
    assert.equal(again.stderr().replace(/^npm warn .*\n/gm, ''), `gatehouse: ${join(dir, 'gatehouse.yaml')} already exists; init never overwrites\n  → run \`gatehouse start\` to use it, or init in an empty directory (--dir DIR)\n`);

    const started = Date.now();
    const server = run('sh', ['-c', `exec ${README_START}`], ROOT);
    let issuer: string | undefined;
    while (Date.now() - started < 15_000 && issuer === undefined) {
      const response = await fetch('http://127.0.0.1:9000/.well-known/openid-configuration').catch(() => undefined);
      if (response?.ok) issuer = ((await response.json()) as { issuer: string }).issuer;
      else await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(issuer, 'http://localhost:9000', server.stderr());
    assert.equal((await fetch('http://127.0.0.1:4000/readyz')).status, 200);
    const unauthenticated = await fetch('http://127.0.0.1:8080/api/x');
    assert.equal(unauthenticated.status, 401);
    await server.waitFor('"reason":"unauthenticated"', 5_000); // the decision log: JSON lines on stdout

    // SIGTERM to the group, as a service manager sends it: npx dies of it, gatehouse drains and says so.
    process.kill(-server.child.pid!, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (!server.stderr().includes('"msg":"stopped cleanly"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(server.stderr(), /"msg":"stopped cleanly"/);
  });
});
