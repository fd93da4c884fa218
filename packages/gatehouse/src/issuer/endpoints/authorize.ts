import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isStoreUnavailable } from '../../store/index.ts';
import type { IssuerServices } from '../issuer-services.ts';
import { ISSUER_PATHS } from '../issuer-endpoints.ts';
import { currentSession, type CurrentSession } from '../session/issuer-session.ts';
import { issueAuthorizationCode } from '../sign-in/authorization-code.ts';
import { checkAuthorizationRequest, type AuthorizationPrompt, type AuthorizationRequest } from '../sign-in/authorization-request.ts';
import { authorizationResponseUrl, redirectToClient } from '../sign-in/authorization-response.ts';
import { sendErrorPage } from '../sign-in/html-page.ts';
import { requestParameters } from '../sign-in/request-parameters.ts';
import { sealTransaction } from '../sign-in/sign-in-transaction.ts';

/**
 * The authorization endpoint (OAuth 2.1 §4.1.1 with OpenID Connect Core §3.1.2): GET, or POST with
 * a form body. A valid request is answered with a code at once when the browser holds a fresh
 * enough issuer session, else it goes to the sign-in page, carrying the request as a MAC'd
 * transaction. Errors about the client or the redirect URI are shown, never redirected.
 */
export function registerAuthorize(app: FastifyInstance, services: IssuerServices): void {
  const path = `${services.urls.basePath}${ISSUER_PATHS.authorize}`;
  const handle = (request: FastifyRequest, reply: FastifyReply) => authorize(services, request, reply);
  // No automatic HEAD route: a HEAD must not issue a code.
  app.get(path, { exposeHeadRoute: false }, handle);
  app.post(path, handle);
}

async function authorize(services: IssuerServices, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const checked = await checkAuthorizationRequest(requestParameters(request), (id) => services.clients.find(id));
  if (checked.kind === 'unredirectable') {
    request.log.info({ error: checked.error, reason: checked.reason }, 'authorization request refused');
    return sendErrorPage(reply, 400, checked.error);
  }
  if (checked.kind === 'redirect') {
    request.log.info({ error: checked.error, reason: checked.reason }, 'authorization request refused');
    return redirectToClient(reply, authorizationResponseUrl(services, checked.redirectUri, checked.state, { error: checked.error }));
  }
  const { request: authorization, prompt } = checked;
  let code: string | undefined;
  try {
    code = await codeFromSession(services, request, authorization, prompt);
  } catch (error) {
    if (!isStoreUnavailable(error)) throw error;
    // The client and its redirect URI are known good: RFC 6749 §4.1.2.1 says to tell the client, which may retry.
    request.log.error({ err: error }, 'authorization request failed: the store is unavailable');
    return redirectToClient(reply, authorizationResponseUrl(services, authorization.redirectUri, authorization.state, { error: 'temporarily_unavailable' }));
  }
  if (code !== undefined) return redirectToClient(reply, authorizationResponseUrl(services, authorization.redirectUri, authorization.state, { code }));
  if (prompt.none) return redirectToClient(reply, authorizationResponseUrl(services, authorization.redirectUri, authorization.state, { error: 'login_required' }));
  const signIn = new URL(services.urls.signIn);
  signIn.searchParams.set('tx', sealTransaction(services, authorization));
  return reply.code(303).header('cache-control', 'no-store').header('location', signIn.href).send();
}

/** A code at once when the browser holds a fresh enough issuer session and the client did not ask for a new sign-in; else undefined. */
async function codeFromSession(services: IssuerServices, request: FastifyRequest, authorization: AuthorizationRequest, prompt: AuthorizationPrompt): Promise<string | undefined> {
  const session = prompt.login ? undefined : await currentSession(services, request);
  if (session === undefined || !isFreshEnough(session, prompt, services.clock())) return undefined;
  const code = await issueAuthorizationCode(services, authorization, session.user.id, session.session.authTime);
  request.log.info({ clientId: authorization.clientId, sub: session.user.id }, 'authorization code issued from the session');
  return code;
}

/** max_age (OpenID Connect Core §3.1.2.1): a sign-in longer ago than this asks for the password again. */
function isFreshEnough(current: CurrentSession, prompt: AuthorizationPrompt, now: number): boolean {
  return prompt.maxAgeSeconds === null || now - current.session.authTime <= prompt.maxAgeSeconds * 1000;
}
