import { ServerError } from '../../errors.ts';
import { UserService } from '../../issuer/users/user-service.ts';
import { CliError } from '../cli-error.ts';
import type { Command } from '../command.ts';
import { CONFIG_OPTION } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { listFlag } from '../list-flag.ts';
import { withLocalServices } from '../local-services.ts';
import { checkPasswordSource, PASSWORD_STDIN_OPTION, readNewPassword } from '../password-input.ts';
import { shellWord } from '../shell-word.ts';

/** `gatehouse users add NAME`: a person who signs in at the issuer's sign-in page. */
export const usersAdd: Command = {
  path: ['users', 'add'],
  summary: 'add a user who signs in with a password',
  usage: 'NAME [--roles ROLE,…] [--password-stdin]',
  description: [
    'Adds a user. The password (at least 12 characters) is asked twice on the terminal, or read from stdin',
    'with --password-stdin; it is stored only as an argon2id hash. Names are unique in any letter case.',
    'Roles go into the user\'s access tokens (`roles` claim) for route policies.',
    '',
    'Example: printf \'%s\' "$PASSWORD" | gatehouse users add alice --roles admin --password-stdin',
  ].join('\n'),
  options: {
    ...CONFIG_OPTION,
    roles: { type: 'string', multiple: true, placeholder: 'ROLE,…', description: 'roles for their tokens, comma-separated' },
    ...PASSWORD_STDIN_OPTION,
  },
  positionals: [1, 1],
  async run(args, context) {
    const name = args.positionals[0]!;
    const roles = [...new Set(listFlag(args, 'roles'))];
    const fromStdin = args.values['password-stdin'] === true;
    const retry = `users add ${shellWord(name)}`;
    checkPasswordSource(context.io, fromStdin, retry);
    return withLocalServices(args, context, async ({ services }) => {
      const taken = (): CliError =>
        new CliError(EXIT.conflict, `a user named ${JSON.stringify(name)} exists already (names are unique in any letter case)`, `pick another name, or set their password with \`gatehouse users passwd ${shellWord(name)}\``);
      if ((await services.store.users.findByUsername(name)) !== undefined) throw taken();
      const password = await readNewPassword(context.io, fromStdin, retry);
      let user;
      try {
        user = await new UserService(services).createUser(name, password, roles);
      } catch (error) {
        if (error instanceof ServerError && error.code === 'store_conflict') throw taken(); // added meanwhile by someone else
        throw error;
      }
      context.out(`added user ${user.username} (id ${user.id}) with ${user.roles.length === 0 ? 'no roles' : `roles ${user.roles.join(', ')}`}`);
      return EXIT.ok;
    });
  },
};
