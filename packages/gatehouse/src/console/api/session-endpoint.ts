import type { FastifyInstance } from 'fastify';
import type { ConsoleServices } from '../console-services.ts';
import { callerOf } from './caller.ts';

/**
 * GET /console/api/session — who is signed in, and the CSRF token the UI sends back in
 * X-CSRF-Token on every POST (readable only by a script of the console's own origin). For a
 * bearer caller: its subject, the user's name when it is a user, and no CSRF token (none needed).
 */
export function registerSessionEndpoint(api: FastifyInstance, services: ConsoleServices): void {
  api.get('/session', async (request) => {
    const caller = callerOf(request);
    if (caller.kind === 'session') {
      const { sub, username, roles, csrf } = caller.session;
      return { sub, username, roles, csrfToken: csrf };
    }
    const user = await services.issuer.store.users.findById(caller.sub);
    return { sub: caller.sub, username: user?.username ?? null, roles: caller.roles, csrfToken: null };
  });
}
