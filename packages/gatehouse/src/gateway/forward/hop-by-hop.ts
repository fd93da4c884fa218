/**
 * Connection-specific header fields (RFC 9110 §7.6.1, plus the non-standard Keep-Alive and
 * Proxy-Connection, and the proxy credentials): they describe one hop, so they are removed in both
 * directions, and so is every field the Connection header names. TE goes too: the trailers it
 * would ask for are not relayed. Upgrade and Connection are re-created only on the WebSocket path.
 */
const HOP_BY_HOP_NAMES = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
] as const;

export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set(HOP_BY_HOP_NAMES);

/** Connection options that name no header field, so never need a lookup. */
const CONNECTION_KEYWORDS: ReadonlySet<string> = new Set(['close', 'keep-alive', 'upgrade']);

/**
 * Adds the header names one Connection field value lists (lowercased) to `named`, creating it on
 * first need: a plain `keep-alive` or `close` — the usual case — allocates nothing.
 */
export function addConnectionNamedHeaders(value: string, named: Set<string> | null): Set<string> | null {
  if (CONNECTION_KEYWORDS.has(value) || CONNECTION_KEYWORDS.has(value.toLowerCase())) return named;
  for (const option of value.split(',')) {
    const name = option.trim().toLowerCase();
    if (name === '' || CONNECTION_KEYWORDS.has(name)) continue;
    (named ??= new Set()).add(name);
  }
  return named;
}

/** Removes the hop-by-hop fields, and those Connection names, from a parsed header object. */
export function deleteHopByHopHeaders(headers: Record<string, unknown>): void {
  const connection = headers.connection;
  if (connection !== undefined) {
    let named: Set<string> | null = null;
    for (const value of typeof connection === 'string' ? [connection] : (connection as string[])) named = addConnectionNamedHeaders(value, named);
    if (named !== null) for (const name of named) delete headers[name];
  }
  for (const name of HOP_BY_HOP_NAMES) delete headers[name];
}
