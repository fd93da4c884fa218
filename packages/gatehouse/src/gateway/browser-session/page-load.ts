import type { IncomingHttpHeaders } from 'node:http';

export interface PageLoadRequest {
  readonly method?: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

/**
 * Whether a request is a browser loading a page — the only kind of request that is sent to sign
 * in instead of getting a 401: a redirect to another origin's HTML form is of no use to a script
 * (fetch/XHR cannot follow it across origins) and would hide the 401 it needs to see.
 *
 * - GET or HEAD only, and never a WebSocket handshake;
 * - `Sec-Fetch-Mode` (Fetch Metadata, sent by every current browser) decides when present: only
 *   `navigate` is a page load, so a script's `fetch` asking for text/html still gets its 401;
 * - without it (older browsers, curl), an Accept header that names `text/html` with a non-zero
 *   quality. `*\/*` alone is not enough: that is what fetch and XHR send by default.
 */
export function isPageLoad(request: PageLoadRequest, websocket: boolean): boolean {
  if (websocket || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
  const mode = request.headers['sec-fetch-mode'];
  if (mode !== undefined) return typeof mode === 'string' && mode.trim().toLowerCase() === 'navigate';
  const accept = request.headers.accept;
  return typeof accept === 'string' && acceptsHtml(accept);
}

/** RFC 9110 §12.5.1: `type/subtype;params` ranges separated by commas; q=0 means "not acceptable". */
function acceptsHtml(accept: string): boolean {
  if (!accept.toLowerCase().includes('text/html')) return false;
  for (const range of accept.split(',')) {
    const [mediaType = '', ...params] = range.split(';');
    if (mediaType.trim().toLowerCase() !== 'text/html') continue;
    const quality = params.map((param) => param.trim().toLowerCase()).find((param) => param.startsWith('q='));
    if (quality === undefined || Number(quality.slice(2)) > 0) return true;
  }
  return false;
}
