import { revokeSigningKey } from '../../keys/revoke-signing-key.ts';
import { CliError } from '../cli-error.ts';
import type { Command } from '../command.ts';
import { CONFIG_OPTION } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { formatInstant } from '../format-time.ts';
import { withLocalServices } from '../local-services.ts';
import { RUNNING_GATEWAYS_NOTE } from '../propagation.ts';

/** `gatehouse keys revoke KID --yes`: the emergency stop for a leaked key. */
export const keysRevoke: Command = {
  path: ['keys', 'revoke'],
  summary: 'revoke a signing key at once (emergency; needs --yes)',
  usage: 'KID --yes',
  description: [
    'Removes the key from the JWKS at once and puts its kid on the key revocation list, for good: every',
    'token it signed is refused, including tokens that have not expired. People sign in again and services',
    'fetch new tokens. If it was the signing key, a pending key takes over at once, or a new one is made.',
    'Use it when a private key may have leaked; for routine rotation use `gatehouse keys rotate`.',
  ].join('\n'),
  options: {
    ...CONFIG_OPTION,
    yes: { type: 'boolean', description: 'confirm: every token the key signed stops working at once' },
  },
  positionals: [1, 1],
  async run(args, context) {
    const kid = args.positionals[0]!;
    if (args.values.yes !== true) {
      throw new CliError(
        EXIT.usage,
        `not revoking key ${kid} without --yes`,
        'revoking is immediate and final: every token the key signed stops working at once, and its users must sign in again; add --yes to go ahead',
      );
    }
    return withLocalServices(args, context, async ({ services }) => {
      const before = services.keys.records().find((record) => record.kid === kid);
      if (before === undefined) throw new CliError(EXIT.unavailable, `no signing key with kid ${JSON.stringify(kid)}`, 'list the keys with `gatehouse keys list`');
      if (before.state === 'revoked') {
        context.out(`key ${kid} was already revoked at ${formatInstant(before.revokedAt ?? 0)}; nothing changed`);
        return EXIT.ok;
      }
      await revokeSigningKey(services, kid, 'revoked by operator');
      const signing = services.keys.records().find((record) => record.state === 'active');
      const next = before.state === 'active' && signing !== undefined ? `; ${signing.kid} signs from now on` : '';
      context.out(`revoked key ${kid}: every token it signed is refused${next}; ${RUNNING_GATEWAYS_NOTE}`);
      return EXIT.ok;
    });
  },
};
