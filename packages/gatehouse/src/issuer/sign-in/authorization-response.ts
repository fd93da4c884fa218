import type { FastifyReply } from 'fastify';
import type { IssuerServices } from '../issuer-services.ts';
import { AUTHORIZATION_ERROR_DESCRIPTIONS, type AuthorizationErrorCode } from './authorization-request.ts';

/**
 * The redirect back to the client (OAuth 2.1 §4.1.2, response_mode=query). Every response, code
 * or error, carries `iss` (RFC 9207) so a client talking to several issuers can tell which one
 * answered (mix-up attacks), and `state` as the client sent it.
 */
export function authorizationResponseUrl(services: IssuerServices, redirectUri: string, state: string | null, result: { code: string } | { error: AuthorizationErrorCode }): string {
  const url = new URL(redirectUri);
  if ('code' in result) {
    url.searchParams.append('code', result.code);
  } else {
    url.searchParams.append('error', result.error);
    url.searchParams.append('error_description', AUTHORIZATION_ERROR_DESCRIPTIONS[result.error]);
  }
  if (state !== null) url.searchParams.append('state', state);
  url.searchParams.append('iss', services.config.issuer);
  return url.href;
}

/** 303 so that a POSTed form becomes a GET at the client; never cached (a code is single-use). */
export function redirectToClient(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('cache-control', 'no-store').header('location', location).send();
}
