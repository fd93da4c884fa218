import type { RegisteredClient } from '../../issuer/clients/client-registry.ts';
import { BROWSER_SESSION_PATHS } from './session-paths.ts';

/** The gateway's OAuth client id at the issuer; reserved (a configured client may not use it). */
export const GATEWAY_CLIENT_ID = 'gatehouse-gateway';

/** `openid` is all the gateway needs: an ID token, whose nonce ties the code to the sign-in it started. */
export const GATEWAY_CLIENT_SCOPES: readonly string[] = Object.freeze(['openid']);

/**
 * The gateway's built-in client, from the hosts and audiences of the `login: browser` routes: a
 * public client (authorization code with PKCE S256, which the issuer requires of everyone, and
 * rotating refresh tokens), allowed exactly those audiences, redirecting only to
 * `https://{host}/.gatehouse/callback` of those hosts. For loopback hosts the issuer also accepts
 * any port and http (RFC 8252 §7.3; issuer/clients/redirect-uri-match.ts), which is how the
 * gateway runs on a developer's machine. Undefined when no route signs browsers in: then the
 * issuer knows no such client and refuses it.
 */
export function gatewayClient(audienceByHost: ReadonlyMap<string, string>): RegisteredClient | undefined {
  if (audienceByHost.size === 0) return undefined;
  return Object.freeze({
    id: GATEWAY_CLIENT_ID,
    public: true,
    grants: Object.freeze(['authorization_code', 'refresh_token'] as const),
    scopes: GATEWAY_CLIENT_SCOPES,
    audiences: Object.freeze([...new Set(audienceByHost.values())]),
    redirectUris: Object.freeze([...audienceByHost.keys()].map(registeredCallbackUrl)),
    roles: Object.freeze([]),
    source: 'builtin',
    loopbackRedirects: true,
  });
}

/** The callback URL registered for a host (route hosts are stored without a port). */
export function registeredCallbackUrl(host: string): string {
  return `https://${host}${BROWSER_SESSION_PATHS.callback}`;
}
