import type { RegisteredClient } from './client-registry.ts';

/** Loopback host names as WHATWG URL spells them: the name, the IPv4 and the IPv6 loopback address. */
const LOOPBACK_HOSTNAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTNAMES.has(hostname);
}

/**
 * Whether `uri` is one of the client's redirect URIs. Exact string comparison for every client
 * (OAuth 2.1 §2.3.1: no prefix, no normalization, no wildcard). A client with `loopbackRedirects`
 * — only the gateway's built-in client — also gets RFC 8252 §7.3 for its loopback entries: "the
 * authorization server MUST allow any port to be specified at the time of the request for loopback
 * IP redirect URIs", over http as well (nothing else can listen on the loopback interface of the
 * person's own machine). Host and path must still be exactly a registered entry's, and the URI must
 * be in its canonical form (what `new URL(uri).href` gives back), so no spelling of it can mean two
 * things to two parsers.
 */
export function redirectUriRegistered(client: RegisteredClient, uri: string): boolean {
  if (client.redirectUris.includes(uri)) return true;
  if (client.loopbackRedirects !== true) return false;
  const presented = parseCanonical(uri);
  if (presented === undefined || !isLoopbackHost(presented.hostname) || (presented.protocol !== 'http:' && presented.protocol !== 'https:')) return false;
  if (presented.username !== '' || presented.password !== '' || presented.hash !== '') return false;
  return client.redirectUris.some((registered) => {
    const entry = parseCanonical(registered);
    return entry !== undefined && entry.hostname === presented.hostname && entry.pathname === presented.pathname && entry.search === presented.search;
  });
}

function parseCanonical(uri: string): URL | undefined {
  try {
    const url = new URL(uri);
    return url.href === uri ? url : undefined;
  } catch {
    return undefined;
  }
}
