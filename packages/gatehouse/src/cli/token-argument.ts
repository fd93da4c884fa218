import type { CommandArgs, CommandContext } from './command.ts';
import { readStdin } from './cli-io.ts';

/** The TOKEN argument: the compact token, or `-` to read it from stdin (keeps it out of shell history and `ps`). */
export async function tokenArgument(args: CommandArgs, context: CommandContext): Promise<string> {
  const given = args.positionals[0]!;
  return (given === '-' ? await readStdin(context.io) : given).trim();
}
