#!/usr/bin/env node
// CI smoke run of the quick start on this (fresh) clone: `npm start` in a throwaway directory,
// then the two curl lines it prints, replayed: the first must answer 200, the second 403.
// Exits non-zero, with the output, on any difference.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-smoke-'));
const child = spawn('npm', ['start', '--', '--dir', dir], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
let err = '';
child.stdout.on('data', (chunk) => (out += chunk));
child.stderr.on('data', (chunk) => (err += chunk));

function fail(message) {
  console.error(`smoke: ${message}\n--- stdout\n${out}\n--- stderr\n${err}`);
  try { process.kill(-child.pid, 'SIGKILL'); } catch {}
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}

const deadline = Date.now() + 60_000;
while (!out.includes('Ctrl-C to stop.')) {
  if (child.exitCode !== null) fail(`npm start exited with ${child.exitCode}`);
  if (Date.now() > deadline) fail('npm start printed nothing usable within 60 s');
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const curls = out.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('curl '));
if (curls.length !== 2) fail(`expected two curl lines, found ${curls.length}`);
for (const [line, expected] of [[curls[0], 200], [curls[1], 403]]) {
  const method = /-X (\w+)/.exec(line)?.[1] ?? 'GET';
  const authorization = /-H 'Authorization: ([^']+)'/.exec(line)?.[1];
  const url = /(http:\/\/\S+)$/.exec(line)?.[1];
  if (authorization === undefined || url === undefined) fail(`cannot read the curl line: ${line}`);
  const response = await fetch(url, { method, headers: { authorization } });
  if (response.status !== expected) fail(`${method} ${url} answered ${response.status}, expected ${expected}`);
  console.log(`smoke: ${method} ${url} → ${response.status} as expected`);
}
process.kill(-child.pid, 'SIGINT');
await new Promise((resolve) => child.once('exit', resolve));
rmSync(dir, { recursive: true, force: true });
console.log('smoke: the quick start works on this clone');
