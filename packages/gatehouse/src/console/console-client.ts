import type { RegisteredClient } from '../issuer/clients/client-registry.ts';
import { CONSOLE_PATHS } from './console-paths.ts';

/** The console's OAuth client id at the issuer; reserved (a configured or stored client may not use it). */
export const CONSOLE_CLIENT_ID = 'gatehouse-console';

/** The audience of the console's access tokens: the client's only one, and what the admin API's bearer tokens must carry. */
export const CONSOLE_AUDIENCE = 'gatehouse-console';

/** `openid`: an ID token, whose nonce ties the code to the sign-in the console started. */
export const CONSOLE_CLIENT_SCOPES: readonly string[] = Object.freeze(['openid']);

/** The loopback hosts the console is always reachable on (any port, http too: RFC 8252 §7.3). */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const;

/**
 * The console's built-in client: public (authorization code with PKCE S256), no refresh token —
 * the console's session ends with its access token and the issuer's own session signs the
 * operator straight back in — and allowed only the console's audience. It redirects to
 * `/console/callback` on a loopback host (any port, http or https: how the control listener runs
 * on an operator's machine or behind `ssh -L`) and on `https://{host}/console/callback` for each
 * public host (`host` or `host:port`: the control listener behind a TLS-terminating proxy).
 */
export function consoleClient(publicHosts: readonly string[]): RegisteredClient {
  const redirectUris = [
    ...LOOPBACK_HOSTS.map((host) => `http://${host}${CONSOLE_PATHS.callback}`),
    ...publicHosts.map((host) => new URL(`https://${host}${CONSOLE_PATHS.callback}`).href),
  ];
  return Object.freeze({
    id: CONSOLE_CLIENT_ID,
    public: true,
    grants: Object.freeze(['authorization_code'] as const),
    scopes: CONSOLE_CLIENT_SCOPES,
    audiences: Object.freeze([CONSOLE_AUDIENCE]),
    redirectUris: Object.freeze([...new Set(redirectUris)]),
    roles: Object.freeze([]),
    source: 'builtin',
    loopbackRedirects: true,
  });
}
