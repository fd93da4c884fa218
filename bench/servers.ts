/**
 * What the HTTP benchmarks share: servers in child processes (so the load generator has its own
 * core and its own event loop) and one autocannon run reduced to the figures we print.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/** Starts `script` (relative to bench/) under tsx and resolves once it prints "listening". */
export function startServer(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(script, import.meta.url).pathname, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve(child);
    });
  });
}

export async function stopServer(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return;
  child.removeAllListeners('exit');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export interface Load {
  readonly rps: number;
  /** Requests completed in the run. */
  readonly total: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
}

export async function measureLoad(options: autocannon.Options): Promise<Load> {
  const result = await autocannon(options);
  return { rps: result.requests.average, total: result.requests.total, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

/**
 * CPU time (user + system) a process has used so far, in microseconds, from /proc (Linux); NaN
 * elsewhere. Per request it is steadier than req/s on a shared machine: it does not depend on
 * how much of a core the process happened to get.
 */
export function cpuMicros(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** measureLoad plus the CPU the server process spent per completed request, in µs. */
export async function measureLoadWithCpu(options: autocannon.Options, pid: number | undefined): Promise<Load & { readonly cpuPerRequestUs: number }> {
  const before = cpuMicros(pid);
  const load = await measureLoad(options);
  return { ...load, cpuPerRequestUs: (cpuMicros(pid) - before) / Math.max(1, load.total) };
}
