import type { IncomingMessage } from 'node:http';
import type { GatewayAudit } from '../pipeline/gateway-audit.ts';
import { isPageLoad } from './page-load.ts';
import { BROWSER_SESSION_PATHS } from './session-paths.ts';
import { redirectVerdict, type SessionVerdict } from './session-verdicts.ts';

/**
 * What a page load gets instead of a 401 on a `login: browser` route: a 302 to the refresh
 * endpoint with the page's path and query as `return`. The refresh cookie, which only that path
 * receives, is tried first (silent renewal); without one, the refresh endpoint starts the sign-in.
 * The decision line keeps the 401's reason (`unauthenticated`, `token_expired`, …): the redirect is
 * only how a browser is told. Undefined for anything that is not a page load: scripts, API clients
 * and WebSocket handshakes keep the 401 and its WWW-Authenticate challenge.
 */
export function signInRedirect(request: IncomingMessage, websocket: boolean, target: string, audit: GatewayAudit): SessionVerdict | undefined {
  if (!isPageLoad(request, websocket)) return undefined;
  return redirectVerdict(302, `${BROWSER_SESSION_PATHS.refresh}?return=${encodeURIComponent(target)}`, [], audit);
}
