import type { Logger } from 'pino';
import type { ConfigSnapshot } from '../config-reload/index.ts';
import type { IssuerGrants } from '../gateway/browser-session/issuer-grants.ts';
import type { CookieSealer } from '../gateway/browser-session/sealed-cookie.ts';
import type { GatewayState } from '../gateway/pipeline/gateway-state.ts';
import type { RegisteredClient } from '../issuer/clients/client-registry.ts';
import type { IssuerServices } from '../issuer/issuer-services.ts';
import type { DecisionHistory } from './decision-history.ts';

/** What the console's endpoints use, built once by createConsole. */
export interface ConsoleServices {
  /** The issuer in this process: store, keys, clients, revocation, security events. */
  readonly issuer: IssuerServices;
  /** The gateway's running configuration and state (routes, policies, token verifier), reloads included. */
  readonly current: () => ConfigSnapshot<GatewayState>;
  readonly history: DecisionHistory;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly logger: Logger | undefined;
  /** The console's built-in client at the issuer. */
  readonly client: RegisteredClient;
  /** The authorization code grant, in process, for the console's client. */
  readonly grants: IssuerGrants;
  /** Seal the sign-in transaction and the session cookie (separate keys). */
  readonly loginCookies: CookieSealer;
  readonly sessionCookies: CookieSealer;
}
