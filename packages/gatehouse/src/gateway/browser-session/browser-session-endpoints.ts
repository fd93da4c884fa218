import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { tooManyRequests, type AnomalyDetector } from '../../anomaly/index.ts';
import type { IssuerServices } from '../../issuer/issuer-services.ts';
import type { RequestContext } from '../forward/index.ts';
import { REFUSALS } from '../pipeline/refusal-responses.ts';
import { normalizeRequestHost, normalizeRequestTarget } from '../routing/index.ts';
import type { BrowserLogin } from './browser-login.ts';
import { completeLogin } from './callback-endpoint.ts';
import { createIssuerGrants } from './issuer-grants.ts';
import { logout } from './logout-endpoint.ts';
import { refreshSession } from './refresh-endpoint.ts';
import { createCookieSealer } from './sealed-cookie.ts';
import { BROWSER_SESSION_PATHS } from './session-paths.ts';
import type { LoginHostRequest, SessionServices } from './session-services.ts';
import { sessionAudit, type SessionVerdict } from './session-verdicts.ts';
import { ServerError } from '../../errors.ts';
import { createSharedRenewals } from './shared-renewals.ts';

export interface BrowserSessionOptions {
  /** The issuer in this process: the grants run against it, its cookieKey seals the login cookie. */
  readonly issuer: IssuerServices;
  readonly anomalies: AnomalyDetector;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** Where the grants log (token.issued at debug). Default silent. */
  readonly logger?: Logger;
}

export type SessionEndpoint = (request: IncomingMessage, context: RequestContext) => SessionVerdict | Promise<SessionVerdict>;

export interface BrowserSessions {
  /**
   * The handler when the request is for the gateway's own `/.gatehouse/` paths on a host with a
   * login route; undefined for every other request, which goes on to the route table. Costs one
   * character comparison for almost every request.
   */
  endpointFor(request: IncomingMessage, login: BrowserLogin): SessionEndpoint | undefined;
}

/** The label of the login cookie's key, derived from the issuer's cookieKey (sealed-cookie.ts). */
const LOGIN_COOKIE_KEY_LABEL = 'gatehouse gateway login transaction v1';

const DOT = 0x2e;
const PERCENT = 0x25;

/**
 * The gateway's browser-session endpoints (DESIGN.md "Browser sessions"), decided before the route
 * table: the callback, silent renewal and logout, on every host that has a `login: browser` route.
 * On other hosts these paths are ordinary paths (no route → 404). A blocked client address is
 * answered 429 here too, as on routes.
 */
export function createBrowserSessions(options: BrowserSessionOptions): BrowserSessions {
  const { anomalies, clock } = options;
  const grants = createIssuerGrants(options.issuer, options.logger);
  const services: SessionServices = {
    issuer: options.issuer,
    grants,
    renew: createSharedRenewals(grants, clock),
    loginCookies: createCookieSealer(options.issuer.cookieKey, LOGIN_COOKIE_KEY_LABEL),
    clock,
  };

  return {
    endpointFor(request, login) {
      if (login.audienceByHost.size === 0) return undefined;
      const url = request.url ?? '';
      // Only a target whose first segment starts with `.` (or an escape, which may decode to one) can be ours.
      const second = url.charCodeAt(1);
      if (second !== DOT && second !== PERCENT) return undefined;
      const target = normalizeRequestTarget(url);
      if (target === undefined || !target.path.startsWith(BROWSER_SESSION_PATHS.prefix)) return undefined;
      const host = normalizeRequestHost(request.headers.host);
      const audience = host === undefined ? undefined : login.audienceByHost.get(host);
      if (host === undefined || audience === undefined) return undefined;
      const endpoint = ENDPOINTS.get(target.path);
      return (request, context) => {
        const block = anomalies.check({ ip: context.clientIp });
        if (block !== undefined) return { kind: 'respond', ...tooManyRequests(block.retryAfterSeconds), audit: sessionAudit('deny', 'anomaly_blocked') };
        if (endpoint === undefined) return refused(REFUSALS.notFound, 'no_route');
        if (request.method !== endpoint.method) return refused(REFUSALS.notFound, 'method_not_allowed');
        const verdict = endpoint.handle(services, { request, context, host, audience, search: target.search });
        return verdict instanceof Promise ? verdict.catch(storeOutage) : verdict;
      };
    },
  };
}

interface Endpoint {
  readonly method: 'GET' | 'POST';
  handle(services: SessionServices, at: LoginHostRequest): SessionVerdict | Promise<SessionVerdict>;
}

// HEAD is not GET here: a HEAD must not redeem a code or rotate a refresh token.
const ENDPOINTS: ReadonlyMap<string, Endpoint> = new Map<string, Endpoint>([
  [BROWSER_SESSION_PATHS.callback, { method: 'GET', handle: completeLogin }],
  [BROWSER_SESSION_PATHS.refresh, { method: 'GET', handle: refreshSession }],
  [BROWSER_SESSION_PATHS.logout, { method: 'POST', handle: logout }],
]);

/**
 * The store went away while an endpoint needed it (a code to redeem, a refresh token to rotate, a
 * family to revoke): 503 with Retry-After, as the issuer answers, rather than a 500. The grants
 * run in transactions, so nothing was half-done. Any other error stays a decision failure.
 */
function storeOutage(error: unknown): SessionVerdict {
  if (!(error instanceof ServerError && error.code === 'store_unavailable')) throw error;
  const { status, headers, body } = REFUSALS.unavailable;
  return { kind: 'respond', status, headers, body, audit: sessionAudit('deny', 'session_store_unavailable') };
}

function refused(response: typeof REFUSALS.notFound, reason: 'no_route' | 'method_not_allowed'): SessionVerdict {
  return { kind: 'respond', status: response.status, headers: response.headers, body: response.body, audit: sessionAudit('deny', reason) };
}
