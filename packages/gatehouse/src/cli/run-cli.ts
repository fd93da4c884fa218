import { parseArgs } from 'node:util';
import { ServerError } from '../errors.ts';
import { CliError } from './cli-error.ts';
import type { CliIo } from './cli-io.ts';
import type { Command, CommandContext } from './command.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import { formatCommandHelp, formatOverview } from './help.ts';

/**
 * Runs one `gatehouse` command line and resolves with its exit code; never throws and never
 * calls process.exit (bin/gatehouse.js does). Errors go to stderr as `gatehouse: message` with a
 * `→ what to do` line; data goes to stdout.
 */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly Command[]): Promise<ExitCode> {
  const context = commandContext(io);
  const words = argv.filter((word) => !word.startsWith('-'));
  if (argv.length === 0 || (words.length === 0 && (argv.includes('--help') || argv.includes('-h')))) {
    io.stdout.write(formatOverview(commands));
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  if (argv[0] === '--version' || argv[0] === '-V') {
    context.out(VERSION);
    return EXIT.ok;
  }
  const command = findCommand(argv, commands);
  if (command === undefined) return reportError(io, unknownCommand(argv, commands));
  const rest = argv.slice(command.path.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(formatCommandHelp(command));
    return EXIT.ok;
  }
  try {
    const parsed = parseCommandLine(command, rest);
    return await command.run(parsed, context);
  } catch (error) {
    return reportError(io, error, command);
  }
}

/** The version `gatehouse --version` prints (the package's). */
export const VERSION = '0.1.0';

function findCommand(argv: readonly string[], commands: readonly Command[]): Command | undefined {
  let best: Command | undefined;
  for (const command of commands) {
    if (command.path.every((word, index) => argv[index] === word) && (best === undefined || command.path.length > best.path.length)) best = command;
  }
  return best;
}

function unknownCommand(argv: readonly string[], commands: readonly Command[]): CliError {
  const group = commands.filter((command) => command.path[0] === argv[0]);
  if (group.length > 0) {
    const names = group.map((command) => command.path.join(' '));
    return new CliError(EXIT.usage, `unknown command "${argv.slice(0, 2).join(' ')}"`, `one of: ${names.join(', ')} (gatehouse ${argv[0]} <command> --help)`);
  }
  return new CliError(EXIT.usage, `unknown command "${argv[0]}"`, 'run `gatehouse --help` for the list of commands');
}

function parseCommandLine(command: Command, rest: readonly string[]): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean | string[] | boolean[] }> = {};
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = { type: spec.type, ...(spec.short === undefined ? {} : { short: spec.short }), ...(spec.multiple === undefined ? {} : { multiple: spec.multiple }) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(EXIT.usage, usageMessage(error), `see \`gatehouse ${command.path.join(' ')} --help\``);
  }
  const [min, max] = command.positionals;
  if (parsed.positionals.length < min) throw new CliError(EXIT.usage, `missing argument: gatehouse ${command.path.join(' ')} ${command.usage}`, `see \`gatehouse ${command.path.join(' ')} --help\``);
  if (parsed.positionals.length > max) throw new CliError(EXIT.usage, `unexpected argument "${parsed.positionals[max]}"`, `usage: gatehouse ${command.path.join(' ')} ${command.usage}`);
  return { values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals: parsed.positionals };
}

/** node:util's parse errors, in our words (they name the flag). */
function usageMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown !== null) return `unknown flag ${unknown[1]}`;
  const flag = (quoted: string) => quoted.replace(/^-\w, /, '').replace(/ <value>$/, '');
  const missing = /Option '([^']+)' argument missing/.exec(message);
  if (missing !== null) return `flag ${flag(missing[1]!)} needs a value`;
  const boolean = /Option '([^']+)' does not take an argument/.exec(message);
  if (boolean !== null) return `flag ${flag(boolean[1]!)} takes no value`;
  return message.split('\n')[0]!;
}

/** Prints an error the user can act on and returns its exit code. */
export function reportError(io: CliIo, error: unknown, command?: Command): ExitCode {
  const { exit, message, hint } = describeError(error, command);
  io.stderr.write(`gatehouse: ${message}\n`);
  if (hint !== undefined) io.stderr.write(`  → ${hint}\n`);
  return exit;
}

function describeError(error: unknown, command: Command | undefined): { exit: ExitCode; message: string; hint?: string } {
  if (error instanceof CliError) return { exit: error.exit, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
  if (error instanceof ServerError) {
    switch (error.code) {
      case 'config_unreadable':
        return { exit: EXIT.config, message: error.message, hint: 'create one with `gatehouse init`, or pass --config FILE' };
      case 'config_invalid':
      case 'config_restart_required':
        return { exit: EXIT.config, message: error.message, hint: 'fix the file and run the command again (docs/reference/configuration.md)' };
      case 'master_key_missing':
      case 'master_key_invalid':
        return { exit: EXIT.config, message: error.message, hint: 'set GATEHOUSE_MASTER_KEY or keys.masterKeyFile in gatehouse.yaml (`gatehouse init` writes one)' };
      case 'store_unavailable':
      case 'store_migration_failed':
      case 'store_url_invalid':
        return { exit: EXIT.unavailable, message: error.message, hint: 'check `store:` in gatehouse.yaml and that the database is up' };
      case 'store_conflict':
        return { exit: EXIT.conflict, message: error.message };
      case 'user_not_found':
      case 'key_not_found':
        return { exit: EXIT.unavailable, message: error.message, hint: 'list what exists with the matching `list` command' };
      case 'password_too_short':
      case 'password_too_long':
      case 'username_invalid':
      case 'token_ttl_invalid':
        return { exit: EXIT.usage, message: error.message };
      default:
        return { exit: EXIT.refused, message: `${error.code}: ${error.message}` };
    }
  }
  const where = command === undefined ? '' : ` in \`gatehouse ${command.path.join(' ')}\``;
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { exit: EXIT.internal, message: `unexpected error${where}: ${detail}`, hint: 'this is a bug; please report it with the command line you ran' };
}

function commandContext(io: CliIo): CommandContext {
  return {
    io,
    out(line = '') {
      io.stdout.write(`${line}\n`);
    },
    note(line) {
      io.stderr.write(`${line}\n`);
    },
    json(value) {
      io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}
