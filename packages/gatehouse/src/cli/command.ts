import type { ParseArgsConfig } from 'node:util';
import type { CliIo } from './cli-io.ts';
import type { ExitCode } from './exit-codes.ts';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** What a parsed command line gives a command. */
export interface CommandArgs {
  /** Flag values by long name (strings, booleans, or arrays for `multiple`). */
  readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  readonly positionals: readonly string[];
}

export interface CommandContext {
  readonly io: CliIo;
  /** stdout, one line (a trailing newline is added). */
  out(line?: string): void;
  /** stderr, one line: progress and notes, never data. */
  note(line: string): void;
  /** Prints `value` as indented JSON on stdout (for --json). */
  json(value: unknown): void;
}

/** One `gatehouse` command (`token decode`, `users add`, ...). */
export interface Command {
  /** The words that select it, e.g. ['token', 'decode']. */
  readonly path: readonly string[];
  /** One line for the command list. */
  readonly summary: string;
  /** The usage line after `gatehouse <path>`, e.g. `TOKEN [--route ID]`. */
  readonly usage: string;
  /** More text for --help: what it does, examples. */
  readonly description?: string;
  /** Its flags (besides --help), with a description each for --help. */
  readonly options: Readonly<Record<string, OptionSpecs[string] & { readonly description: string; readonly placeholder?: string }>>;
  /** How many positionals it takes: [min, max]. */
  readonly positionals: readonly [number, number];
  run(args: CommandArgs, context: CommandContext): Promise<ExitCode>;
}
