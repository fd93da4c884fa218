import { Readable } from 'node:stream';
import type { CliIo } from '../../../src/cli/cli-io.ts';
import { COMMANDS } from '../../../src/cli/commands/index.ts';
import { runCli } from '../../../src/cli/run-cli.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly stdin?: string;
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
  /** Resolves the command's waitForStop() (for `start` and `audit tail`). */
  readonly stop?: Promise<string>;
}

/** Runs `gatehouse ...argv` in-process with captured output. */
export async function runGatehouse(argv: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    waitForStop: () => options.stop ?? new Promise(() => {}),
  };
  const code = await runCli(argv, io, COMMANDS);
  return { code, stdout, stderr };
}
