import type { CliIo } from './cli-io.ts';
import { COMMANDS } from './commands/index.ts';
import { runCli } from './run-cli.ts';

/** The `gatehouse` process: real stdio and environment, SIGINT/SIGTERM as the stop signal of long-running commands. */
export async function main(argv: readonly string[]): Promise<number> {
  let stop: Promise<string> | undefined;
  const waitForStop = () =>
    (stop ??= new Promise<string>((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
    }));
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd(), waitForStop };
  return runCli(argv, io, COMMANDS);
}
