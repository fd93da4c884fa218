import { UserService } from '../../issuer/users/user-service.ts';
import type { Command } from '../command.ts';
import { CONFIG_OPTION } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { findUserNamed } from '../find-user.ts';
import { withLocalServices } from '../local-services.ts';
import { RUNNING_GATEWAYS_NOTE } from '../propagation.ts';

/** `gatehouse users disable NAME`: no more sign-ins, and everything they hold ends. */
export const usersDisable: Command = {
  path: ['users', 'disable'],
  summary: 'disable a user and end all their sessions and tokens',
  usage: 'NAME',
  description: [
    'Disables the user: they can no longer sign in, their refresh tokens are revoked, and every access',
    'token issued to them so far is refused (a subject revocation). The user and their id stay.',
  ].join('\n'),
  options: { ...CONFIG_OPTION },
  positionals: [1, 1],
  async run(args, context) {
    return withLocalServices(args, context, async ({ services }) => {
      const user = await findUserNamed(services.store, args.positionals[0]!);
      if (user.disabled) {
        context.out(`user ${user.username} is already disabled; nothing changed`);
        return EXIT.ok;
      }
      await new UserService(services).setDisabled(user.id, true);
      context.out(`disabled user ${user.username}: their sessions and access tokens are revoked; ${RUNNING_GATEWAYS_NOTE}`);
      return EXIT.ok;
    });
  },
};
