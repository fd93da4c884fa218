import type { FastifyRequest } from 'fastify';
import type { FormParameters } from '../form-parameters.ts';
import { OAuthError } from '../oauth-error.ts';
import type { ClientRegistry, RegisteredClient } from './client-registry.ts';

/** The token_endpoint_auth_methods discovery advertises. */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface AuthenticatedClient {
  readonly client: RegisteredClient;
  readonly method: ClientAuthMethod;
}

export interface AuthenticateClientOptions {
  /**
   * Whether a public client may identify itself by client_id alone: yes at the token endpoint
   * (code and refresh grants) and for revocation; never for introspection.
   */
  readonly allowPublic: boolean;
}

/** RFC 6749 §5.2: a client that tried Basic gets a 401 with the scheme it should use. */
const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="gatehouse"' } as const;

/**
 * Authenticates the client of a token, revocation or introspection request: client_secret_basic
 * (RFC 6749 §2.3.1), client_secret_post, or — for public clients where allowed — client_id alone.
 * One method per request (§2.3: "MUST NOT use more than one"): Basic plus a body secret is
 * invalid_request. Every failure to authenticate is invalid_client (401), whatever the cause, so the
 * answer never says whether a client id exists.
 */
export async function authenticateClient(request: FastifyRequest, form: FormParameters, clients: ClientRegistry, options: AuthenticateClientOptions): Promise<AuthenticatedClient> {
  const bodyId = form.get('client_id');
  const bodySecret = form.get('client_secret');
  const authorization = request.headers.authorization;

  if (authorization !== undefined) {
    const basic = parseBasicCredentials(authorization);
    if (bodySecret !== undefined) throw new OAuthError('invalid_request', 'use one client authentication method, not several');
    // A body client_id is tolerated beside Basic when it names the same client (some libraries send both).
    if (basic !== undefined && bodyId !== undefined && bodyId !== basic.id) throw new OAuthError('invalid_request', 'client_id does not match the authenticated client');
    const client = basic === undefined ? undefined : await clients.authenticate(basic.id, basic.secret);
    if (client === undefined) throw new OAuthError('invalid_client', 'client authentication failed', { headers: BASIC_CHALLENGE });
    return { client, method: 'client_secret_basic' };
  }

  if (bodySecret !== undefined) {
    if (bodyId === undefined) throw new OAuthError('invalid_request', 'client_secret without client_id');
    const client = await clients.authenticate(bodyId, bodySecret);
    if (client === undefined) throw new OAuthError('invalid_client', 'client authentication failed');
    return { client, method: 'client_secret_post' };
  }

  if (bodyId === undefined) throw new OAuthError('invalid_client', 'client authentication is required');
  const client = await clients.find(bodyId);
  // A confidential client that leaves its secret out has not authenticated: the same refusal as a wrong one.
  if (client === undefined || !client.public || !options.allowPublic) throw new OAuthError('invalid_client', 'client authentication failed');
  return { client, method: 'none' };
}

/**
 * `Basic base64(urlencode(id) ":" urlencode(secret))` — RFC 6749 §2.3.1 form-encodes both before
 * the Basic encoding, so they are decoded here. Undefined for anything else (another scheme, bad
 * base64, no colon, bad percent-encoding): the caller answers invalid_client with the Basic challenge.
 */
function parseBasicCredentials(header: string): { id: string; secret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  const id = decodeFormComponent(decoded.slice(0, colon));
  const secret = decodeFormComponent(decoded.slice(colon + 1));
  return id === undefined || secret === undefined || id.length === 0 || secret.length === 0 ? undefined : { id, secret };
}

function decodeFormComponent(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
