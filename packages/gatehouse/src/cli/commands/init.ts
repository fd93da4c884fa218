import { resolve } from 'node:path';
import type { Command } from '../command.ts';
import { JSON_OPTION, wantsJson } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { initGatehouse } from '../init-files.ts';

/** `gatehouse init`: a working configuration, master key, store and demo user in one step. */
export const init: Command = {
  path: ['init'],
  summary: 'write gatehouse.yaml, a master key, a demo user and demo routes',
  usage: '[--dir DIR] [--json]',
  description: [
    'Creates, in DIR (default: the current directory): gatehouse.yaml (loopback listeners, the',
    'embedded SQLite store under data/, a demo API route and a demo browser route), gatehouse.key',
    '(the master key that seals the signing keys; mode 0600 — back it up, never commit it), the',
    'first signing key, and the user "demo" (role admin) with a random password printed once.',
    'Refuses to overwrite an existing gatehouse.yaml or gatehouse.key.',
  ].join('\n'),
  options: {
    dir: { type: 'string', placeholder: 'DIR', description: 'where to write (default: the current directory)' },
    ...JSON_OPTION,
  },
  positionals: [0, 0],
  async run(args, context) {
    const dir = resolve(context.io.cwd, typeof args.values.dir === 'string' ? args.values.dir : '.');
    const result = await initGatehouse(dir, {}, context.io.env);
    if (wantsJson(args)) {
      context.json(result);
      return EXIT.ok;
    }
    context.out(`wrote ${result.configPath}`);
    context.out(`wrote ${result.masterKeyPath} (mode 0600: keep it secret, back it up)`);
    context.out(`created user "${result.username}" (role admin) with password: ${result.password}`);
    context.out('');
    context.out('next:');
    context.out(`  gatehouse start --config ${result.configPath}`);
    return EXIT.ok;
  },
};
