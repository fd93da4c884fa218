import { addConnectionNamedHeaders, HOP_BY_HOP_HEADERS } from './hop-by-hop.ts';
import type { RequestOrigin } from './client-address.ts';
import type { ForwardVerdict } from './verdict.ts';

/**
 * Client request headers the data plane always removes before forwarding, besides the hop-by-hop
 * ones, every `x-gatehouse-*` and every `x-forwarded-*` (X-Forwarded-User, -Email, -Port, -Prefix
 * included: all are spoofable claims):
 * - host: the upstream gets the upstream URL's host (undici writes it) unless the verdict keeps the client's;
 * - expect: node:http answered 100-continue itself, and only once the verdict was to forward;
 * - forwarded, x-real-ip: other spellings of forwarding information, which only we provide;
 * - x-request-id: ours replaces it.
 */
const ALWAYS_REMOVED = ['host', 'expect', 'forwarded', 'x-real-ip', 'x-request-id'] as const;

/** Names the data plane owns upstream: a verdict that injects one is invalid. */
const RESERVED_FOR_INJECTION: ReadonlySet<string> = new Set([...HOP_BY_HOP_HEADERS, ...ALWAYS_REMOVED, 'content-length']);

/** Names lowercased and checked once (the route's frozen list is the usual argument, so it is cached by identity). */
const normalizedLists = new WeakMap<readonly string[], ReadonlySet<string>>();

function normalizedNames(names: readonly string[]): ReadonlySet<string> {
  let set = normalizedLists.get(names);
  if (set === undefined) {
    set = new Set(names.map((name) => name.toLowerCase()));
    normalizedLists.set(names, set);
  }
  return set;
}

export interface HeaderRules {
  /** Hop-by-hop, ALWAYS_REMOVED and the configured strip list, lowercased: one lookup per header. */
  readonly removed: ReadonlySet<string>;
}

export function headerRules(configuredStrip: readonly string[]): HeaderRules {
  for (const name of configuredStrip) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new TypeError(`stripHeaders: ${JSON.stringify(name)} is not a header name`);
  }
  return { removed: new Set([...HOP_BY_HOP_HEADERS, ...ALWAYS_REMOVED, ...configuredStrip.map((name) => name.toLowerCase())]) };
}

/**
 * The header list (undici's flat [name, value, …] form) sent upstream: the client's headers in
 * their order and spelling minus every removed one, then ours, then the verdict's injected
 * headers. An injected name is first removed from the client's headers, whatever the case, so a
 * client value is never merged with or mistaken for ours. Removal happens before anything is
 * added: a client's `Connection: x-request-id` cannot remove a header we set. Undefined when the
 * verdict injects a name the data plane owns (hop-by-hop, Host, Content-Length, X-Request-Id,
 * X-Forwarded-*, Forwarded, X-Real-IP, Expect).
 */
export function upstreamRequestHeaders(rawHeaders: readonly string[], rules: HeaderRules, verdict: ForwardVerdict<unknown>, origin: RequestOrigin, requestId: string, clientHost: string | undefined): string[] | undefined {
  const verdictStrip = verdict.stripHeaders === undefined || verdict.stripHeaders.length === 0 ? null : normalizedNames(verdict.stripHeaders);
  const inject = verdict.injectHeaders;
  const injectedNames: string[] = [];
  for (const name in inject) {
    const lower = name.toLowerCase();
    if (RESERVED_FOR_INJECTION.has(lower) || lower.startsWith('x-forwarded-')) return undefined;
    injectedNames.push(lower);
  }

  const headers: string[] = [];
  let connectionNamed: Set<string> | null = null;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    // CGI-style servers (WSGI, Rack, PHP) read X_Gatehouse_Sub as X-Gatehouse-Sub: every rule
    // below sees `_` as `-`, so an underscore spelling cannot carry a spoofed identity past them.
    const lower = rawHeaders[index]!.toLowerCase();
    const name = lower.includes('_') ? lower.replaceAll('_', '-') : lower;
    if (name === 'connection') connectionNamed = addConnectionNamedHeaders(rawHeaders[index + 1]!, connectionNamed);
    if (
      rules.removed.has(name) ||
      name.startsWith('x-gatehouse-') ||
      name.startsWith('x-forwarded-') ||
      (verdictStrip !== null && verdictStrip.has(name)) ||
      injectedNames.includes(name)
    ) {
      continue;
    }
    if (name === 'cookie') {
      const kept = withoutGatehouseCookies(rawHeaders[index + 1]!);
      if (kept !== '') headers.push(rawHeaders[index]!, kept);
      continue;
    }
    headers.push(rawHeaders[index]!, rawHeaders[index + 1]!);
  }
  // Rare (a Connection naming more than close / keep-alive), so a second pass only then.
  if (connectionNamed !== null) removeNamed(headers, connectionNamed);

  if (verdict.preserveHost === true && clientHost !== undefined) headers.push('host', clientHost);
  headers.push('x-forwarded-for', origin.forwardedFor, 'x-forwarded-proto', origin.forwardedProto);
  if (origin.forwardedHost !== undefined) headers.push('x-forwarded-host', origin.forwardedHost);
  headers.push('x-request-id', requestId);
  for (const name in inject) headers.push(name, inject[name]!);
  return headers;
}

/**
 * A Cookie header without the gateway's own cookies (`__Host-gatehouse-*`, `__Secure-gatehouse-*`:
 * the session's access token, the sign-in in progress): the upstream gets the identity headers
 * and the assertion, never the browser's credential. Matched case-sensitively, as browsers send
 * cookie names; the other pairs keep their order and spelling. Empty when nothing is left.
 */
export function withoutGatehouseCookies(value: string): string {
  if (!value.includes('-gatehouse-')) return value;
  return value
    .split(';')
    .filter((pair) => {
      const name = pair.slice(0, pair.indexOf('=') === -1 ? pair.length : pair.indexOf('=')).trim();
      return !(name.startsWith('__Host-gatehouse-') || name.startsWith('__Secure-gatehouse-'));
    })
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '')
    .join('; ');
}

/** Removes, in place, the [name, value] pairs whose lowercased name is in `names`. */
function removeNamed(headers: string[], names: ReadonlySet<string>): void {
  let kept = 0;
  for (let index = 0; index < headers.length; index += 2) {
    if (names.has(headers[index]!.toLowerCase())) continue;
    headers[kept++] = headers[index]!;
    headers[kept++] = headers[index + 1]!;
  }
  headers.length = kept;
}
