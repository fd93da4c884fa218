import { UserService } from '../../issuer/users/user-service.ts';
import type { Command } from '../command.ts';
import { CONFIG_OPTION } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { findUserNamed } from '../find-user.ts';
import { withLocalServices } from '../local-services.ts';
import { checkPasswordSource, PASSWORD_STDIN_OPTION, readNewPassword } from '../password-input.ts';
import { RUNNING_GATEWAYS_NOTE } from '../propagation.ts';
import { shellWord } from '../shell-word.ts';

/** `gatehouse users passwd NAME`: a new password, and everything signed in with the old one ends. */
export const usersPasswd: Command = {
  path: ['users', 'passwd'],
  summary: 'set a user\'s password and end all their sessions and tokens',
  usage: 'NAME [--password-stdin]',
  description: [
    'Sets a new password (at least 12 characters), asked twice on the terminal or read from stdin with',
    '--password-stdin. Every refresh token of the user is revoked and every access token issued to them',
    'so far is refused: whoever knew the old password is signed out.',
    '',
    'Example: printf \'%s\' "$PASSWORD" | gatehouse users passwd alice --password-stdin',
  ].join('\n'),
  options: { ...CONFIG_OPTION, ...PASSWORD_STDIN_OPTION },
  positionals: [1, 1],
  async run(args, context) {
    const name = args.positionals[0]!;
    const fromStdin = args.values['password-stdin'] === true;
    const retry = `users passwd ${shellWord(name)}`;
    checkPasswordSource(context.io, fromStdin, retry);
    return withLocalServices(args, context, async ({ services }) => {
      const user = await findUserNamed(services.store, name);
      const password = await readNewPassword(context.io, fromStdin, retry);
      await new UserService(services).setPassword(user.id, password);
      context.out(`changed the password of ${user.username}: their sessions and access tokens are revoked; ${RUNNING_GATEWAYS_NOTE}`);
      return EXIT.ok;
    });
  },
};
