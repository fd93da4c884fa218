import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ConfigSnapshot } from '../config-reload/index.ts';
import { createIssuerGrants } from '../gateway/browser-session/issuer-grants.ts';
import { createCookieSealer } from '../gateway/browser-session/sealed-cookie.ts';
import type { GatewayState } from '../gateway/pipeline/gateway-state.ts';
import type { IssuerServices } from '../issuer/issuer-services.ts';
import { registerConsoleApi } from './console-api.ts';
import { CONSOLE_CLIENT_ID, consoleClient } from './console-client.ts';
import { CONSOLE_PATHS } from './console-paths.ts';
import type { ConsoleServices } from './console-services.ts';
import type { DecisionHistory } from './decision-history.ts';
import { addConsoleSecurityHeaders } from './security-headers.ts';
import { completeConsoleLogin } from './sign-in/complete-console-login.ts';
import { consoleLogout } from './sign-in/console-logout.ts';
import { startConsoleLogin } from './sign-in/start-console-login.ts';
import { createStaticUi } from './static-ui.ts';

/** The labels of the console's cookie keys, derived from the issuer's cookieKey (sealed-cookie.ts). */
const LOGIN_COOKIE_KEY_LABEL = 'gatehouse console login transaction v1';
const SESSION_COOKIE_KEY_LABEL = 'gatehouse console session v1';

/** What openGateway's `console` option takes. */
export interface ConsoleOptions {
  /**
   * Hosts (`host` or `host:port`) the console is reached on through TLS, besides loopback
   * addresses: its sign-in redirects to `https://{host}/console/callback` only there. The issuer's
   * own host (when the issuer URL is https) is always one, for a proxy that sends /console there.
   */
  readonly publicHosts?: readonly string[];
  /** The built UI. Default: the dist folder of the @gatehouse/console package. */
  readonly uiDirectory?: string;
}

export interface ConsoleDependencies extends ConsoleOptions {
  readonly issuer: IssuerServices;
  /** The gateway's running configuration and state. */
  readonly current: () => ConfigSnapshot<GatewayState>;
  /** Fed by the gateway's decision recorder. */
  readonly history: DecisionHistory;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly logger?: Logger;
}

export interface WebConsole {
  /** Adds the console's routes and headers to the control app (before it listens). */
  mount(app: FastifyInstance): void;
  /** Unregisters the console's client at the issuer. */
  close(): void;
}

/**
 * The web console on the control listener (DESIGN.md "The parts"): its built-in client at the
 * issuer, the sign-in endpoints (/console/login, /console/callback, /console/logout), the JSON
 * admin API (/console/api/), the built UI, and the security headers of everything under /console.
 */
export function createConsole(dependencies: ConsoleDependencies): WebConsole {
  const { issuer } = dependencies;
  const client = consoleClient([...issuerHost(issuer.config.issuer), ...(dependencies.publicHosts ?? [])]);
  const unregister = issuer.clients.provideBuiltIn(CONSOLE_CLIENT_ID, () => client);
  const services: ConsoleServices = {
    issuer,
    current: dependencies.current,
    history: dependencies.history,
    clock: dependencies.clock,
    logger: dependencies.logger,
    client,
    grants: createIssuerGrants(issuer, dependencies.logger, CONSOLE_CLIENT_ID),
    loginCookies: createCookieSealer(issuer.cookieKey, LOGIN_COOKIE_KEY_LABEL),
    sessionCookies: createCookieSealer(issuer.cookieKey, SESSION_COOKIE_KEY_LABEL),
  };
  const serveUi = createStaticUi(dependencies.uiDirectory === undefined ? {} : { directory: dependencies.uiDirectory });

  return {
    mount(app) {
      addConsoleSecurityHeaders(app);
      app.get(CONSOLE_PATHS.root, (_request, reply) => reply.code(308).header('location', CONSOLE_PATHS.home).send());
      // No automatic HEAD routes: a HEAD must not start a sign-in or redeem a code.
      app.get(CONSOLE_PATHS.login, { exposeHeadRoute: false }, (request, reply) => startConsoleLogin(services, request, reply));
      app.get(CONSOLE_PATHS.callback, { exposeHeadRoute: false }, (request, reply) => completeConsoleLogin(services, request, reply));
      app.post(CONSOLE_PATHS.logout, (request, reply) => consoleLogout(services, request, reply));
      registerConsoleApi(app, services);
      app.get(`${CONSOLE_PATHS.home}*`, serveUi);
    },
    close: unregister,
  };
}

/** The issuer's host when its public URL is https: a proxy may serve the console under it. */
function issuerHost(issuer: string): string[] {
  const url = new URL(issuer);
  return url.protocol === 'https:' ? [url.host] : [];
}
