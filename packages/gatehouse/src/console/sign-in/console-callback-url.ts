import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isLoopbackHost } from '../../issuer/clients/redirect-uri-match.ts';
import { normalizeRequestHost } from '../../gateway/routing/request-host.ts';
import { CONSOLE_PATHS } from '../console-paths.ts';

/**
 * The redirect_uri for a sign-in started by this request: on a loopback host the scheme and
 * port the request came in on (RFC 8252 §7.3, which the console's client allows), otherwise
 * `https://{Host}/console/callback` — a public console is reached through TLS, a proxy in front of
 * the control listener. Canonical (URL#href), as the issuer requires. Undefined for a Host that is
 * no host (missing, malformed): such a request cannot start a sign-in.
 */
export function consoleCallbackUrl(request: Pick<IncomingMessage, 'headers' | 'socket'>): string | undefined {
  const header = request.headers.host;
  const hostname = normalizeRequestHost(header);
  if (hostname === undefined) return undefined;
  const scheme = isLoopbackHost(hostname) && (request.socket as Partial<TLSSocket> | undefined)?.encrypted !== true ? 'http' : 'https';
  try {
    return new URL(`${scheme}://${header}${CONSOLE_PATHS.callback}`).href;
  } catch {
    return undefined;
  }
}
