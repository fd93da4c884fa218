import type { Command } from '../command.ts';
import { CONFIG_OPTION, JSON_OPTION, wantsJson } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { findUserNamed } from '../find-user.ts';
import { formatInstant, formatOptionalInstant } from '../format-time.ts';
import { withLocalStore } from '../local-store.ts';
import { integerFlag } from '../number-flag.ts';
import { sessionExpiresAt, sessionJson, sessionState } from '../session-state.ts';
import { stringFlag } from '../string-flag.ts';
import { formatTable } from '../text-table.ts';

/** `gatehouse sessions list`: the refresh-token families (one per sign-in at a client), newest first. */
export const sessionsList: Command = {
  path: ['sessions', 'list'],
  summary: 'list sessions (refresh-token families): user, client, dates, state',
  usage: '[--user NAME] [--active] [--limit N] [--json]',
  description: [
    'Lists sessions, newest first. A session is one sign-in of a user at a client and every refresh token',
    'rotated from it; its ID is the `sid` of its access tokens and what `gatehouse sessions revoke` takes.',
    'LAST USED is when its refresh token was last issued; EXPIRES is when it ends unless refreshed before.',
    'STATE is active, expired or revoked.',
  ].join('\n'),
  options: {
    ...CONFIG_OPTION,
    user: { type: 'string', placeholder: 'NAME', description: 'only this user\'s sessions' },
    active: { type: 'boolean', description: 'only sessions whose refresh token still works' },
    limit: { type: 'string', placeholder: 'N', description: 'at most N sessions, 1 to 1000 (default 100)' },
    ...JSON_OPTION,
  },
  positionals: [0, 0],
  async run(args, context) {
    const limit = integerFlag(args, 'limit', { min: 1, max: 1000, fallback: 100 });
    return withLocalStore(args, context, async ({ store }) => {
      const userName = stringFlag(args, 'user');
      const user = userName === undefined ? undefined : await findUserNamed(store, userName);
      const now = Date.now();
      const sessions = await store.refreshTokens.listFamilies({
        limit,
        ...(user === undefined ? {} : { userId: user.id }),
        ...(args.values.active === true ? { activeAt: now } : {}),
      });
      const usernames = new Map((await store.users.list()).map((known) => [known.id, known.username]));
      const nameOf = (userId: string): string => usernames.get(userId) ?? userId;
      if (wantsJson(args)) {
        context.json(sessions.map((session) => ({ ...sessionJson(session, usernames.get(session.userId) ?? null, now), revokedReason: session.revokedReason })));
        return EXIT.ok;
      }
      if (sessions.length === 0) {
        context.note(user === undefined ? 'no sessions' : `no sessions of ${user.username}`);
        return EXIT.ok;
      }
      const rows = sessions.map((session) => [
        session.id,
        nameOf(session.userId),
        session.clientId,
        formatInstant(session.createdAt),
        formatOptionalInstant(session.lastIssuedAt),
        formatInstant(sessionExpiresAt(session)),
        sessionState(session, now),
      ]);
      for (const line of formatTable(['ID', 'USER', 'CLIENT', 'CREATED', 'LAST USED', 'EXPIRES', 'STATE'], rows)) context.out(line);
      if (sessions.length === limit) context.note(`(the newest ${limit} shown: narrow with --user or --active, or raise --limit)`);
      return EXIT.ok;
    });
  },
};
