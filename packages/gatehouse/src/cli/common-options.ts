import { resolve } from 'node:path';
import type { CommandArgs, CommandContext } from './command.ts';

/** `--config FILE`: every command that reads gatehouse.yaml takes it. */
export const CONFIG_OPTION = {
  config: { type: 'string', short: 'c', placeholder: 'FILE', description: 'the configuration file (default: $GATEHOUSE_CONFIG, else ./gatehouse.yaml)' },
} as const;

/** `--json`: every read command takes it; the output is then one JSON document on stdout. */
export const JSON_OPTION = {
  json: { type: 'boolean', description: 'print JSON instead of text' },
} as const;

/** The configuration path a command should load: --config, then $GATEHOUSE_CONFIG, then ./gatehouse.yaml. */
export function configPath(args: CommandArgs, context: CommandContext): string {
  const given = typeof args.values.config === 'string' ? args.values.config : context.io.env.GATEHOUSE_CONFIG;
  return resolve(context.io.cwd, given ?? 'gatehouse.yaml');
}

export function wantsJson(args: CommandArgs): boolean {
  return args.values.json === true;
}
