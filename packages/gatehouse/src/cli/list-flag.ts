import type { CommandArgs } from './command.ts';

/**
 * A list flag's items: comma-separated, and the flag may be repeated (`--roles a,b --roles c`).
 * Spaces around items and empty items are dropped, so `--roles ""` is the empty list.
 */
export function listFlag(args: CommandArgs, name: string): string[] {
  const given = args.values[name];
  const values = given === undefined ? [] : typeof given === 'string' ? [given] : Array.isArray(given) ? given : [];
  return values.flatMap((value) => String(value).split(',')).map((item) => item.trim()).filter((item) => item.length > 0);
}

/** A repeatable flag's values as given (no comma splitting: URLs may contain commas). */
export function repeatedFlag(args: CommandArgs, name: string): string[] {
  const given = args.values[name];
  return given === undefined ? [] : typeof given === 'string' ? [given] : Array.isArray(given) ? [...given] : [];
}
