import type { FastifyInstance } from 'fastify';
import { sessionJson } from '../../cli/session-state.ts';
import { UserError } from '../../issuer/users/user-errors.ts';
import { recordSessionRevoked, revokeSessionFamily } from '../../issuer/tokens/revoke-session-family.ts';
import { revokeUserSessions } from '../../issuer/tokens/revoke-user-sessions.ts';
import type { User } from '../../store/index.ts';
import { ConsoleApiError } from '../console-errors.ts';
import type { ConsoleServices } from '../console-services.ts';
import { actorOf, callerOf } from './caller.ts';
import { pathParameter, queryParameter } from './request-fields.ts';

const MAX_SESSIONS = 1000;

/**
 * Sessions — refresh-token families, one per sign-in of a user at a client — as `gatehouse
 * sessions list|revoke` shows and ends them, with the same functions and the same session.revoked
 * events (`via: console`). Revoking a session refuses its refresh token and every access token of
 * it (`sid`); revoking a user's sessions also refuses every access token issued to them so far.
 */
export function registerSessionsEndpoints(api: FastifyInstance, services: ConsoleServices): void {
  const { store } = services.issuer;

  api.get('/sessions', async (request) => {
    const named = queryParameter(request, 'user');
    const user = named === undefined ? undefined : await userByNameOrId(services, named);
    const now = services.clock();
    const sessions = await store.refreshTokens.listFamilies({ limit: MAX_SESSIONS, ...(user === undefined ? {} : { userId: user.id }) });
    const usernames = new Map((await store.users.list()).map((known) => [known.id, known.username]));
    return sessions.map((session) => sessionJson(session, usernames.get(session.userId) ?? null, now));
  });

  api.post('/sessions/:id/revoke', async (request) => {
    const family = await store.refreshTokens.findFamily(pathParameter(request, 'id'));
    if (family === undefined) throw new ConsoleApiError('not_found', 'no session with this id');
    // Again for a revoked one, as the CLI does: the revocation-list entry for its access tokens is then certain.
    await revokeSessionFamily(services.issuer, family, revokeReason(request));
    if (family.revokedAt === null) await recordSessionRevoked(services.issuer, family, 'console');
    return { revoked: true };
  });

  api.post('/users/:id/revoke-sessions', async (request) => {
    const user = await store.users.findById(pathParameter(request, 'id'));
    if (user === undefined) throw new UserError('user_not_found');
    const families = await revokeUserSessions(services.issuer, user.id, revokeReason(request));
    for (const family of await Promise.all(families.map((familyId) => store.refreshTokens.findFamily(familyId)))) {
      if (family !== undefined) await recordSessionRevoked(services.issuer, family, 'console');
    }
    return { revoked: families.length };
  });
}

function revokeReason(request: Parameters<typeof callerOf>[0]): string {
  return `revoked by operator ${actorOf(callerOf(request))} (console)`;
}

/** `?user=` names a user by name (any letter case, as at sign-in) or by id. */
async function userByNameOrId(services: ConsoleServices, named: string): Promise<User> {
  const { users } = services.issuer.store;
  const user = (await users.findByUsername(named)) ?? (await users.findById(named));
  if (user === undefined) throw new UserError('user_not_found', `no user named or with id ${JSON.stringify(named)}`);
  return user;
}
