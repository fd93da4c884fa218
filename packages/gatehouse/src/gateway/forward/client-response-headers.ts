import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { deleteHopByHopHeaders, HOP_BY_HOP_HEADERS } from './hop-by-hop.ts';

/**
 * Response headers toward the client. From the upstream: everything but the hop-by-hop fields
 * (and those its Connection names); node:http frames the body again itself. X-Request-Id is always
 * ours, replacing any the upstream sent. undici's parsed object is reused in place: it is ours.
 */
export function relayedResponseHeaders(headers: IncomingHttpHeaders, requestId: string): OutgoingHttpHeaders {
  deleteHopByHopHeaders(headers);
  headers['x-request-id'] = requestId;
  return headers;
}

/** A `respond` verdict's headers: as given, minus hop-by-hop, Content-Length and X-Request-Id (any case), which we set. */
export function verdictResponseHeaders(given: Readonly<Record<string, string | readonly string[]>> | undefined, requestId: string, contentLength: number): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  if (given !== undefined) {
    for (const name in given) {
      const lower = name.toLowerCase();
      if (HOP_BY_HOP_HEADERS.has(lower) || lower === 'content-length' || lower === 'x-request-id') continue;
      headers[lower] = given[name] as string | string[];
    }
  }
  headers['content-length'] = contentLength;
  headers['x-request-id'] = requestId;
  return headers;
}

/**
 * The 101 relayed to a WebSocket client, written on the raw socket: the upstream's headers
 * (Sec-WebSocket-Accept, -Protocol, -Extensions …) minus hop-by-hop, then Upgrade and Connection
 * re-created. Names and values come from undici's parser or from us, so none carries CR or LF.
 */
export function switchingProtocolsHead(headers: IncomingHttpHeaders, requestId: string): string {
  deleteHopByHopHeaders(headers as Record<string, unknown>);
  let head = 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n';
  for (const name in headers) {
    if (name === 'x-request-id') continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string') head += `${name}: ${value}\r\n`;
    else for (const item of value) head += `${name}: ${item}\r\n`;
  }
  return `${head}X-Request-Id: ${requestId}\r\n\r\n`;
}
