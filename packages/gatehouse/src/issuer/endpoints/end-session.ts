import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IssuerServices } from '../issuer-services.ts';
import { ISSUER_PATHS } from '../issuer-endpoints.ts';
import { verifyIdTokenHint, type IdTokenHint } from '../session/id-token-hint.ts';
import { endSession, readSessionCookie } from '../session/issuer-session.ts';
import { csrfTokenMatches, issueCsrfToken } from '../sign-in/csrf.ts';
import { sendErrorPage, sendPage } from '../sign-in/html-page.ts';
import type { PageErrorCode } from '../sign-in/page-errors.ts';
import { readParameter, requestParameters, singleParameter } from '../sign-in/request-parameters.ts';
import { renderSignedOut, renderSignOutConfirmation } from '../sign-in/sign-out-pages.ts';
import { revokeSessionFamily } from '../tokens/revoke-session-family.ts';

const SIGNED_OUT = 'signed_out';

/**
 * End session (OpenID Connect RP-Initiated Logout 1.0), GET or POST. With a valid id_token_hint the
 * relying party vouches for the request: the issuer session ends, the hinted sign-in's refresh
 * family is revoked, and the browser goes back to post_logout_redirect_uri if it is one of that
 * client's registered URIs. Without a hint any page could trigger it, so the person confirms with
 * a CSRF-protected form first.
 */
export function registerEndSession(app: FastifyInstance, services: IssuerServices): void {
  const path = `${services.urls.basePath}${ISSUER_PATHS.endSession}`;
  const handle = (request: FastifyRequest, reply: FastifyReply) => signOut(services, path, request, reply);
  // No automatic HEAD route: a HEAD must not sign anyone out.
  app.get(path, { exposeHeadRoute: false }, handle);
  app.post(path, handle);
}

async function signOut(services: IssuerServices, path: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = requestParameters(request);
  const hintParameter = readParameter(params, 'id_token_hint');
  if (hintParameter.kind === 'repeated') return sendErrorPage(reply, 400, 'invalid_id_token_hint');
  if (hintParameter.kind === 'absent') {
    if (request.method !== 'POST') return confirmationPage(services, path, request, reply, 200);
    if (!csrfTokenMatches(services, request, 'signout', '', singleParameter(params, 'csrf'))) return confirmationPage(services, path, request, reply, 400, 'csrf_failed');
    await endSession(services, request, reply, SIGNED_OUT);
    request.log.info({ event: 'session.ended' }, 'signed out (confirmed)');
    return sendPage(reply, 200, renderSignedOut());
  }

  const hint = verifyIdTokenHint(services, hintParameter.value);
  if (hint === undefined) {
    request.log.info('sign-out refused: id_token_hint does not verify');
    return sendErrorPage(reply, 400, 'invalid_id_token_hint');
  }
  const session = readSessionCookie(services, request);
  // The hint speaks for its own user only: another user's session in this browser is left alone.
  if (session === undefined || session.userId === hint.sub) await endSession(services, request, reply, SIGNED_OUT);
  await revokeHintedFamily(services, hint);
  request.log.info({ event: 'session.ended', sub: hint.sub, clientId: hint.clientId }, 'signed out (relying party)');

  const location = await postLogoutRedirect(services, hint, singleParameter(params, 'post_logout_redirect_uri'), singleParameter(params, 'state'));
  if (location === undefined) return sendPage(reply, 200, renderSignedOut());
  return reply.code(303).header('cache-control', 'no-store').header('location', location).send();
}

/**
 * The ID token's `sid` is the refresh-token family of that sign-in: it ends with the session, its
 * refresh tokens in the store and its access tokens (same `sid`) in the verifiers.
 */
async function revokeHintedFamily(services: IssuerServices, hint: IdTokenHint): Promise<void> {
  if (hint.sid === null) return;
  const family = await services.store.refreshTokens.findFamily(hint.sid);
  if (family === undefined || family.userId !== hint.sub) return;
  await revokeSessionFamily(services, family, SIGNED_OUT);
}

/** Only an exact match among the hinted client's registered redirect URIs; else no redirect. */
async function postLogoutRedirect(services: IssuerServices, hint: IdTokenHint, redirectUri: string | null, state: string | null): Promise<string | undefined> {
  if (redirectUri === null) return undefined;
  const client = await services.clients.find(hint.clientId);
  if (client === undefined || !client.redirectUris.includes(redirectUri)) return undefined;
  const url = new URL(redirectUri);
  if (state !== null) url.searchParams.append('state', state);
  return url.href;
}

function confirmationPage(services: IssuerServices, path: string, request: FastifyRequest, reply: FastifyReply, status: number, error?: PageErrorCode): FastifyReply {
  const csrfToken = issueCsrfToken(services, request, reply, 'signout', '');
  return sendPage(reply, status, renderSignOutConfirmation({ action: path, csrfToken, ...(error === undefined ? {} : { error }) }));
}
