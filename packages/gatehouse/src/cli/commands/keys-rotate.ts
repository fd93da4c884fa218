import { CliError } from '../cli-error.ts';
import type { Command } from '../command.ts';
import { CONFIG_OPTION, JSON_OPTION, wantsJson } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { formatFromNow, formatInstant, jsonInstant } from '../format-time.ts';
import { withLocalServices } from '../local-services.ts';
import { RUNNING_GATEWAYS_NOTE } from '../propagation.ts';

/** `gatehouse keys rotate`: on-demand rotation, the same step the schedule takes. */
export const keysRotate: Command = {
  path: ['keys', 'rotate'],
  summary: 'create the next signing key now (published first, signing after the publish lead)',
  usage: '[--json]',
  description: [
    'Generates a new signing key (the configured algorithm), seals it under the master key and adds it as',
    'pending: it is published in the JWKS now and starts signing after the publish lead (10 min), so every',
    'verifier\'s JWKS cache holds it before the first token naming it. The current key then retires: it stays',
    'published until every token it signed has expired. With no usable key at all, the new key signs at once.',
    'Refused while a successor is already pending (exit 5). For a compromised key use `gatehouse keys revoke`.',
  ].join('\n'),
  options: { ...CONFIG_OPTION, ...JSON_OPTION },
  positionals: [0, 0],
  async run(args, context) {
    return withLocalServices(args, context, async ({ services }) => {
      const pending = services.keys.records().find((record) => record.state === 'pending');
      if (pending !== undefined) {
        throw new CliError(
          EXIT.conflict,
          `key ${pending.kid} is already pending: it starts signing at ${formatInstant(pending.activatesAt)}`,
          'wait until it signs before rotating again, or revoke it with `gatehouse keys revoke KID --yes`',
        );
      }
      const added = await services.keys.rotate();
      if (wantsJson(args)) {
        context.json({ kid: added.kid, alg: added.alg, state: added.state, activatesAt: jsonInstant(added.activatesAt) });
        return EXIT.ok;
      }
      const now = services.clock();
      const when = added.state === 'active' ? 'signing now' : `signs from ${formatInstant(added.activatesAt)} (${formatFromNow(added.activatesAt, now)})`;
      context.out(`created key ${added.kid} (${added.alg}): published now, ${when}; ${RUNNING_GATEWAYS_NOTE}`);
      return EXIT.ok;
    });
  },
};
