import { recordSessionRevoked, revokeSessionFamily } from '../../issuer/tokens/revoke-session-family.ts';
import { revokeUserSessions } from '../../issuer/tokens/revoke-user-sessions.ts';
import { CliError } from '../cli-error.ts';
import type { Command } from '../command.ts';
import { CONFIG_OPTION } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { findUserNamed } from '../find-user.ts';
import { formatInstant } from '../format-time.ts';
import { withLocalServices } from '../local-services.ts';
import { RUNNING_GATEWAYS_NOTE } from '../propagation.ts';
import { stringFlag } from '../string-flag.ts';

const REASON = 'revoked by operator';

/** `gatehouse sessions revoke ID | --user NAME`: ends a sign-in, or all of a user's. */
export const sessionsRevoke: Command = {
  path: ['sessions', 'revoke'],
  summary: 'revoke a session (its refresh and access tokens), or every session of a user',
  usage: 'ID | --user NAME',
  description: [
    'With a session ID (from `gatehouse sessions list`): its refresh token is revoked, and its access tokens',
    '(whose `sid` is the ID) are refused. With --user: every session of the user, every access token issued',
    'to them so far, and their sign-in at the issuer end; they keep their account and can sign in again.',
    'Both go through the store\'s revocation list: this process applies them at once, running servers on',
    'their next tick (within 10 s).',
  ].join('\n'),
  options: {
    ...CONFIG_OPTION,
    user: { type: 'string', placeholder: 'NAME', description: 'revoke every session of this user instead of one' },
  },
  positionals: [0, 1],
  async run(args, context) {
    const id = args.positionals[0];
    const userName = stringFlag(args, 'user');
    if ((id === undefined) === (userName === undefined)) {
      throw new CliError(EXIT.usage, id === undefined ? 'say which sessions: a session ID or --user NAME' : 'give a session ID or --user NAME, not both', 'see `gatehouse sessions revoke --help`');
    }
    return withLocalServices(args, context, async ({ services }) => {
      if (userName !== undefined) {
        const user = await findUserNamed(services.store, userName);
        const families = await revokeUserSessions(services, user.id, REASON);
        for (const family of await Promise.all(families.map((familyId) => services.store.refreshTokens.findFamily(familyId)))) {
          if (family !== undefined) await recordSessionRevoked(services, family, 'cli');
        }
        const count = families.length === 1 ? '1 session' : `${families.length} sessions`;
        context.out(`revoked ${count} of ${user.username} and every access token issued to them so far; ${RUNNING_GATEWAYS_NOTE}`);
        return EXIT.ok;
      }
      const family = await services.store.refreshTokens.findFamily(id!);
      if (family === undefined) throw new CliError(EXIT.unavailable, `no session with id ${JSON.stringify(id)}`, 'list the sessions with `gatehouse sessions list`');
      // Again for a revoked one: the revocation-list entry for its access tokens is then certain.
      await revokeSessionFamily(services, family, REASON);
      const owner = (await services.store.users.findById(family.userId))?.username ?? family.userId;
      if (family.revokedAt !== null) {
        context.out(`session ${family.id} of ${owner} at ${family.clientId} was already revoked at ${formatInstant(family.revokedAt)} (${family.revokedReason ?? 'no reason'}); its tokens are refused`);
        return EXIT.ok;
      }
      await recordSessionRevoked(services, family, 'cli');
      context.out(`revoked session ${family.id} of ${owner} at ${family.clientId}: its refresh token and access tokens are refused; ${RUNNING_GATEWAYS_NOTE}`);
      return EXIT.ok;
    });
  },
};
