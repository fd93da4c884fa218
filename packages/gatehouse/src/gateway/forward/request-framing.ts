import type { IncomingMessage } from 'node:http';

/**
 * How a request's body is delimited, or that it cannot be trusted to be. node:http (llhttp, strict)
 * already refuses Content-Length with Transfer-Encoding, a repeated or non-numeric Content-Length,
 * a repeated Transfer-Encoding, chunked not last, obs-fold and bare LF; these checks repeat the
 * first ones cheaply (the scan is needed anyway) and add what it lets through:
 * - a second Host (RFC 9112 §3.2: 400), since we route on one and might forward the other;
 * - a transfer coding other than exactly `chunked` (`gzip, chunked` would reach the upstream
 *   decoded of its chunking but still gzipped, and unlabelled; `identity` alone is not framing);
 * - a request-target not in origin form: absolute-form (`GET http://other/`, a forward-proxy
 *   request), `*`, authority-form — the gateway is not a forward proxy, and routing and the
 *   upstream must read the same path.
 */
export type RequestFraming = 'malformed' | 'no-body' | 'body';

export function requestFraming(request: IncomingMessage): RequestFraming {
  const url = request.url;
  if (url === undefined || url.charCodeAt(0) !== 0x2f /* / */) return 'malformed';
  const raw = request.rawHeaders;
  let hosts = 0;
  let contentLength: string | undefined;
  let transferEncoding: string | undefined;
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]!;
    // Length first: most names are neither, and this skips lowercasing them.
    if (name.length === 4) {
      if (name.toLowerCase() === 'host' && ++hosts > 1) return 'malformed';
    } else if (name.length === 14) {
      if (name.toLowerCase() === 'content-length') {
        if (contentLength !== undefined) return 'malformed';
        contentLength = raw[index + 1]!;
      }
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      if (transferEncoding !== undefined) return 'malformed';
      transferEncoding = raw[index + 1]!;
    }
  }
  if (transferEncoding !== undefined) {
    return contentLength === undefined && transferEncoding.trim().toLowerCase() === 'chunked' ? 'body' : 'malformed';
  }
  if (contentLength === undefined) return 'no-body';
  if (!/^\d+$/.test(contentLength)) return 'malformed';
  return /^0+$/.test(contentLength) ? 'no-body' : 'body';
}
