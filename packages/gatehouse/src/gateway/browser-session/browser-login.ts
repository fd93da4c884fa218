import type { RouteConfig } from '../../config/index.ts';
import type { RegisteredClient } from '../../issuer/clients/client-registry.ts';
import { ServerError } from '../../errors.ts';
import { gatewayClient } from './gateway-client.ts';

/**
 * What the gateway derives from the `login: browser` routes, compiled with the rest of the
 * gateway state and swapped with it on reload: the hosts it signs browsers in on, each with the
 * one audience its access cookie is for, and its built-in client at the issuer.
 */
export interface BrowserLogin {
  /** Host (as route hosts are written: lowercase, no port) → the audience of its login routes. */
  readonly audienceByHost: ReadonlyMap<string, string>;
  readonly client: RegisteredClient | undefined;
}

/**
 * Throws config_invalid when a login route has no exact host or two login routes on one host want
 * different audiences; the configuration loader refuses both with a precise message first
 * (config/sections/login-routes.ts), so this only guards configurations built by hand.
 */
export function compileBrowserLogin(routes: readonly RouteConfig[]): BrowserLogin {
  const audienceByHost = new Map<string, string>();
  for (const route of routes) {
    if (route.login !== 'browser') continue;
    const host = route.match.host;
    if (host === null || host.startsWith('*.')) throw new ServerError('config_invalid', `route ${route.id}: login: browser needs an exact match.host`);
    const audience = audienceByHost.get(host);
    if (audience !== undefined && audience !== route.audience) {
      throw new ServerError('config_invalid', `route ${route.id}: the login routes of host ${host} must share one audience (${audience}, not ${route.audience})`);
    }
    audienceByHost.set(host, route.audience);
  }
  return Object.freeze({ audienceByHost, client: gatewayClient(audienceByHost) });
}
