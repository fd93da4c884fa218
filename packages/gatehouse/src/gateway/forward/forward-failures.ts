/**
 * Why the data plane could not complete an exchange: one registry of stable codes for the audit
 * record and metrics. The status is what the client gets when nothing has been sent yet (null:
 * nothing can be sent — the client is gone, or the response had already started and is cut
 * instead). On the wire a failure is always generic: the status and a fixed body naming the status
 * only, never the code or the cause (an upstream's error text stays in the record's `cause`).
 */
export const FORWARD_FAILURES = {
  /** Duplicate Host or Content-Length, Content-Length with Transfer-Encoding, a transfer coding other than chunked, a request-target not in origin form, a WebSocket handshake that is not a bodiless GET with Sec-WebSocket-Key and -Version. */
  request_malformed: 400,
  /** TRACE: it would echo the injected identity headers and the signed assertion back to the client. */
  method_not_allowed: 405,
  /** An Upgrade other than websocket (h2c, for one) on a request with a body: such requests are answered as plain HTTP/1.1, but node:http hands their body over unparsed. */
  upgrade_not_supported: 400,
  /** The decide hook threw or rejected. */
  decision_failed: 500,
  /** The verdict could not be carried out: not a verdict, an upstream that is not an http(s)/ws(s) URL, a path not starting with `/`, a status or header the HTTP layer refuses. */
  verdict_invalid: 500,
  /** The upstream could not be connected to: refused, unknown host, unreachable. */
  upstream_unreachable: 502,
  /** The upstream closed or reset the connection before its response was complete. */
  upstream_reset: 502,
  /** The upstream's response could not be parsed, its headers were too large, its length was wrong, or it switched protocols to something other than the WebSocket asked for. */
  upstream_bad_response: 502,
  /** No connection to the upstream within upstreamTimeouts.connectMs. */
  upstream_connect_timeout: 504,
  /** The upstream's response headers did not arrive within upstreamTimeouts.headersMs. */
  upstream_headers_timeout: 504,
  /** The upstream's response body stalled longer than upstreamTimeouts.bodyMs; its status was already sent, so the response is cut. */
  upstream_body_timeout: null,
  /** A WebSocket tunnel carried nothing either way for upstreamTimeouts.tunnelIdleMs and was closed. */
  tunnel_idle_timeout: null,
  /** The client went away before the exchange completed; the upstream request was aborted. */
  client_aborted: null,
} as const satisfies Record<string, number | null>;

export type ForwardFailure = keyof typeof FORWARD_FAILURES;

/** The generic body for each status a failure can send. */
const WIRE_ERRORS: Readonly<Record<number, string>> = {
  400: 'bad_request',
  405: 'method_not_allowed',
  500: 'server_error',
  502: 'bad_gateway',
  504: 'gateway_timeout',
};

/** Built once: a failure response allocates nothing but its headers. */
export const FAILURE_BODIES: ReadonlyMap<number, Buffer> = new Map(
  Object.entries(WIRE_ERRORS).map(([status, error]) => [Number(status), Buffer.from(JSON.stringify({ error }))]),
);

/**
 * The failure an undici error stands for. `UND_ERR_INVALID_ARG` is undici refusing a request we
 * built: client headers were already validated by node:http, so it was the verdict's.
 */
export function classifyUpstreamError(error: unknown): ForwardFailure {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'upstream_connect_timeout';
    case 'UND_ERR_HEADERS_TIMEOUT':
      return 'upstream_headers_timeout';
    case 'UND_ERR_BODY_TIMEOUT':
      return 'upstream_body_timeout';
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return 'upstream_unreachable';
    case 'UND_ERR_HEADERS_OVERFLOW':
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
    case 'UND_ERR_RES_EXCEEDED_MAX_SIZE':
      return 'upstream_bad_response';
    case 'UND_ERR_INVALID_ARG':
    case 'UND_ERR_NOT_SUPPORTED':
      return 'verdict_invalid';
    default:
      // undici's HTTPParserError has an HPE_ code only when llhttp named the error.
      return (typeof code === 'string' && code.startsWith('HPE_')) || (error as { name?: unknown } | null)?.name === 'HTTPParserError' ? 'upstream_bad_response' : 'upstream_reset';
  }
}
