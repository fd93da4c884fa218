import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorizationRequestUrl } from '../../gateway/browser-session/authorization-request-url.ts';
import { LOGIN_TRANSACTION_TTL_SECONDS, sealLoginTransaction, startLoginTransaction } from '../../gateway/browser-session/login-transaction.ts';
import { redirectUriRegistered } from '../../issuer/clients/redirect-uri-match.ts';
import { CONSOLE_AUDIENCE } from '../console-client.ts';
import { setConsoleCookie } from '../console-cookies.ts';
import { sendConsolePage } from '../console-pages.ts';
import { CONSOLE_PATHS } from '../console-paths.ts';
import type { ConsoleServices } from '../console-services.ts';
import { consoleCallbackUrl } from './console-callback-url.ts';

/**
 * GET /console/login — starts a sign-in at the issuer, as the gateway does for a login route:
 * a fresh transaction (state, nonce, PKCE verifier) sealed into the login cookie, and a 302 to the
 * authorization endpoint for the console's client and audience. A host the console's client does
 * not redirect to gets a page saying so rather than the issuer's error.
 */
export function startConsoleLogin(services: ConsoleServices, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const redirectUri = consoleCallbackUrl(request.raw);
  if (redirectUri === undefined || !redirectUriRegistered(services.client, redirectUri)) {
    return sendConsolePage(reply, 400, 'Console not available here', [
      'The console signs in only on a loopback address (localhost) or on a public host it is configured for (the issuer\'s host, or the console\'s publicHosts option).',
    ]);
  }
  const transaction = startLoginTransaction({ redirectUri, returnTo: CONSOLE_PATHS.home, audience: CONSOLE_AUDIENCE, now: services.clock() });
  const cookie = setConsoleCookie('login', sealLoginTransaction(services.loginCookies, transaction), LOGIN_TRANSACTION_TTL_SECONDS);
  return reply
    .code(302)
    .header('location', authorizationRequestUrl(services.issuer.urls.authorize, transaction, services.client))
    .header('set-cookie', cookie)
    .header('cache-control', 'no-store')
    .send();
}
