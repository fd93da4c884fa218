import { CliError } from './cli-error.ts';
import type { CommandArgs } from './command.ts';
import { EXIT } from './exit-codes.ts';

/** A whole-number flag within [min, max], or `fallback` when absent; anything else is a usage error naming the range. */
export function integerFlag(args: CommandArgs, name: string, { min, max, fallback }: { min: number; max: number; fallback: number }): number {
  const given = args.values[name];
  if (given === undefined) return fallback;
  const value = typeof given === 'string' && /^\d{1,9}$/.test(given) ? Number(given) : NaN;
  if (!(value >= min && value <= max)) {
    throw new CliError(EXIT.usage, `--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(String(given))}`, `e.g. --${name} ${fallback}`);
  }
  return value;
}
