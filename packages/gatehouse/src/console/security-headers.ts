import type { FastifyInstance } from 'fastify';
import { isConsolePath } from './console-paths.ts';

/**
 * The policy of every console response. The UI is one module script and its style sheets from
 * `/console/` (no inline script or style, no eval), talks only to its own origin, and may not be
 * framed (clickjacking), change its base URL or post forms anywhere else.
 */
export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
});

/**
 * Sets the headers on every response under `/console` — pages, assets, API answers, redirects,
 * errors and 404s alike — from a hook on the whole control app (not only on the console's own
 * routes, so an unmatched path under /console gets them too).
 */
export function addConsoleSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const url = request.raw.url ?? '';
    const query = url.indexOf('?');
    if (isConsolePath(query === -1 ? url : url.slice(0, query))) reply.headers(CONSOLE_SECURITY_HEADERS);
    return payload;
  });
}
