import type { IncomingMessage } from 'node:http';

/**
 * The Origin header names the host the request was sent to: the browser's same-origin signal for
 * cookie credentials (CSRF). A missing Origin, `null` (sandboxed or privacy-sensitive contexts) or
 * another host is not same-origin.
 */
export function sameOrigin(request: Pick<IncomingMessage, 'headers'>): boolean {
  const origin = request.headers.origin;
  const host = request.headers.host;
  if (typeof origin !== 'string' || typeof host !== 'string' || origin === 'null') return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
