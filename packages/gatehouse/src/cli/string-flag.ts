import type { CommandArgs } from './command.ts';

/** A string flag's value, or undefined when it was not given. */
export function stringFlag(args: CommandArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}
