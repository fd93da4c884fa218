import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isLoopbackHost } from '../../issuer/clients/redirect-uri-match.ts';
import { normalizeRequestHost } from '../routing/request-host.ts';

/**
 * The Origin header names this very origin — scheme, host and port — the browser's same-origin
 * signal for cookie credentials (CSRF). The scheme counts: Firefox and Safari let SameSite=Lax
 * cookies ride from http://host to https://host, so a page injected into plain-HTTP traffic to the
 * same host must not pass. This origin is https for a public host (browsers reach it through TLS,
 * as the sign-in callback requires), and for a loopback host the scheme of the connection. A
 * missing Origin, `null` (sandboxed or privacy-sensitive contexts) or anything else is not
 * same-origin.
 */
export function sameOrigin(request: Pick<IncomingMessage, 'headers' | 'socket'>): boolean {
  const origin = request.headers.origin;
  const host = request.headers.host;
  if (typeof origin !== 'string' || typeof host !== 'string' || origin === 'null') return false;
  const hostname = normalizeRequestHost(host);
  if (hostname === undefined) return false;
  const scheme = !isLoopbackHost(hostname) || (request.socket as Partial<TLSSocket> | undefined)?.encrypted === true ? 'https' : 'http';
  try {
    return new URL(origin).origin === new URL(`${scheme}://${host}`).origin;
  } catch {
    return false;
  }
}
