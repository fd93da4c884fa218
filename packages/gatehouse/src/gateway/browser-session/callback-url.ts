import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isLoopbackHost } from '../../issuer/clients/redirect-uri-match.ts';
import { registeredCallbackUrl } from './gateway-client.ts';
import { BROWSER_SESSION_PATHS } from './session-paths.ts';

/**
 * The redirect_uri for a sign-in started by this request on login host `host`. A public host gets
 * exactly its registered `https://{host}/.gatehouse/callback`: browsers reach it over TLS on the
 * default port (a TLS-terminating proxy in front of the gateway). A loopback host — the gateway on a
 * developer's machine — gets the scheme and port this request came in on (RFC 8252 §7.3), which the
 * issuer accepts for the gateway's client; the Host header has already been checked to be this
 * host with an optional port. Canonical (URL#href), as the issuer requires.
 */
export function callbackUrlFor(request: IncomingMessage, host: string): string {
  if (!isLoopbackHost(host)) return registeredCallbackUrl(host);
  const scheme = (request.socket as Partial<TLSSocket>).encrypted === true ? 'https' : 'http';
  try {
    return new URL(`${scheme}://${request.headers.host}${BROWSER_SESSION_PATHS.callback}`).href;
  } catch {
    // A port beyond 65535 passes the Host check but is no URL: the registered URL then, which fails visibly.
    return registeredCallbackUrl(host);
  }
}
