import type { Command } from '../command.ts';
import { CONFIG_OPTION, JSON_OPTION, wantsJson } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { formatInstant, jsonInstant } from '../format-time.ts';
import { withLocalStore } from '../local-store.ts';
import { formatTable } from '../text-table.ts';

/** `gatehouse users list`: who can sign in (never a password hash). */
export const usersList: Command = {
  path: ['users', 'list'],
  summary: 'list the users: name, id (their tokens\' sub), roles, status',
  usage: '[--json]',
  description: 'Lists every user in the store by name. The id is the `sub` of their tokens. Password hashes are never shown.',
  options: { ...CONFIG_OPTION, ...JSON_OPTION },
  positionals: [0, 0],
  async run(args, context) {
    return withLocalStore(args, context, async ({ store }) => {
      const users = await store.users.list();
      if (wantsJson(args)) {
        context.json(users.map((user) => ({
          username: user.username,
          id: user.id,
          roles: user.roles,
          disabled: user.disabled,
          createdAt: jsonInstant(user.createdAt),
          passwordChangedAt: jsonInstant(user.passwordChangedAt),
        })));
        return EXIT.ok;
      }
      if (users.length === 0) {
        context.note('no users yet: add one with `gatehouse users add NAME`');
        return EXIT.ok;
      }
      const rows = users.map((user) => [user.username, user.id, user.roles.join(',') || '-', user.disabled ? 'disabled' : 'enabled', formatInstant(user.createdAt)]);
      for (const line of formatTable(['USERNAME', 'ID', 'ROLES', 'STATUS', 'CREATED'], rows)) context.out(line);
      return EXIT.ok;
    });
  },
};
