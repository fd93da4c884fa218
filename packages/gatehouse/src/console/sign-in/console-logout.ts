import type { FastifyReply, FastifyRequest } from 'fastify';
import { revokeSessionFamily } from '../../issuer/tokens/revoke-session-family.ts';
import { csrfRefusal, identifyCaller } from '../console-auth.ts';
import { CONSOLE_CLIENT_ID } from '../console-client.ts';
import { clearConsoleCookie } from '../console-cookies.ts';
import { sendConsoleError } from '../console-errors.ts';
import type { ConsoleServices } from '../console-services.ts';

/**
 * POST /console/logout — signs the operator out of the console: CSRF-checked like every
 * state-changing API request (same Origin and X-CSRF-Token), then the sign-in's session family is
 * revoked (its access token with it) and the cookie cleared. The answer names the issuer's
 * end-session page: the issuer's own sign-in session outlives the console's, and would sign the
 * operator straight back in.
 */
export async function consoleLogout(services: ConsoleServices, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const identified = await identifyCaller(services, request.raw);
  if (!identified.ok || identified.caller.kind !== 'session') {
    reply.header('set-cookie', clearConsoleCookie('session'));
    return sendConsoleError(reply, 'unauthenticated', 'there is no console session to end');
  }
  const refused = csrfRefusal(request.raw, identified.caller);
  if (refused !== undefined) return sendConsoleError(reply, refused.code, refused.message);
  const { session } = identified.caller;
  if (session.sid !== null) {
    const family = await services.issuer.store.refreshTokens.findFamily(session.sid);
    if (family !== undefined && family.clientId === CONSOLE_CLIENT_ID && family.revokedAt === null) await revokeSessionFamily(services.issuer, family, 'signed out of the console');
  }
  services.logger?.info({ event: 'console.signed_out', sub: session.sub, username: session.username }, 'console sign-out');
  return reply
    .code(200)
    .header('set-cookie', clearConsoleCookie('session'))
    .header('cache-control', 'no-store')
    .send({ ok: true, endSessionUrl: services.issuer.urls.endSession });
}
