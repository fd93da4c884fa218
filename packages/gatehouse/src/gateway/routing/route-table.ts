/**
 * The route table: which configured route, if any, serves a request. Deny by default: a request no
 * route matches is refused and never forwarded.
 *
 * Precedence (route-precedence.ts): the most specific route wins — exact host over `*.domain` over
 * any host; then the path glob with the longest literal prefix (then a glob without `**`, then
 * more literal segments); then listed methods over any method. Routes that tie and can match one
 * same request are refused at load with config_invalid naming both.
 *
 * Normalization: the host as in request-host.ts (lowercase, port dropped, IPv6 canonical); the
 * path as in request-target.ts (refused when ambiguous, query ignored); the method exactly as
 * sent (methods are case-sensitive), and only the methods a route may name (no TRACE, CONNECT).
 *
 * Everything is computed in compileRoutes; a lookup is two Map reads and a walk over the routes
 * of at most three buckets, already in precedence order.
 */
import { HTTP_METHODS, type HttpMethod, type RouteConfig } from '../../config/types.ts';
import { compareSpecificity, compileRoute, refuseAmbiguousRoutes, type CompiledRoute } from './route-precedence.ts';
import { normalizeRequestHost } from './request-host.ts';
import { normalizeRequestTarget } from './request-target.ts';

/** Why no route serves a request; every one of them means the request is refused. */
export const ROUTE_REFUSALS = {
  bad_host: 'The Host header is missing or is not a hostname or IP address (with an optional port).',
  bad_path: 'The path is one the gateway and an upstream could read differently (dot segments, encoded slashes or backslashes, empty segments, control characters, double encoding).',
  no_route: 'No route matches the host and path.',
  method_not_allowed: 'A route matches the host and path but not the method (or the method is one no route may name, like TRACE).',
} as const;

export type RouteRefusal = keyof typeof ROUTE_REFUSALS;

export type RouteLookup =
  | {
      readonly route: RouteConfig;
      /** The normalized path: what policy sees and what the upstream must receive. */
      readonly path: string;
      /** The query as received, with its `?`, or ''. */
      readonly search: string;
    }
  | { readonly route: null; readonly reason: RouteRefusal };

export interface RouteTable {
  /**
   * `host` is the Host header (or HTTP/2 :authority) as received; `target` the request target
   * (`req.url`), query included; `method` as received.
   */
  match(host: string | undefined, target: string, method: string): RouteLookup;
  /** Every route, the most specific first. */
  readonly routes: readonly RouteConfig[];
}

const KNOWN_METHODS: ReadonlySet<string> = new Set(HTTP_METHODS);
const refusals = Object.fromEntries(
  (Object.keys(ROUTE_REFUSALS) as RouteRefusal[]).map((reason) => [reason, Object.freeze({ route: null, reason })]),
) as { readonly [R in RouteRefusal]: { readonly route: null; readonly reason: R } };

/** Throws ServerError config_invalid when two routes are equally specific and overlap. */
export function compileRoutes(routes: readonly RouteConfig[]): RouteTable {
  const compiled = routes.map(compileRoute).sort(compareSpecificity);
  refuseAmbiguousRoutes(compiled);
  const exact = new Map<string, CompiledRoute[]>();
  const wildcard = new Map<string, CompiledRoute[]>();
  const anyHost: CompiledRoute[] = [];
  for (const route of compiled) {
    const host = route.config.match.host;
    if (route.hostClass === 'any') anyHost.push(route);
    else if (route.hostClass === 'wildcard') append(wildcard, host!.slice(2), route);
    else append(exact, host!, route);
  }
  const none: readonly CompiledRoute[] = [];

  return {
    routes: compiled.map((route) => route.config),
    match(hostHeader, target, method) {
      const host = normalizeRequestHost(hostHeader);
      if (host === undefined) return refusals.bad_host;
      const normalized = normalizeRequestTarget(target);
      if (normalized === undefined) return refusals.bad_path;
      const knownMethod = KNOWN_METHODS.has(method);
      // `*.example.com` covers exactly one more label: the parent of `a.example.com`.
      const dot = host.indexOf('.');
      const parent = dot === -1 || host.startsWith('[') ? undefined : host.slice(dot + 1);
      let pathMatched = false;
      for (const bucket of [exact.get(host) ?? none, parent === undefined ? none : wildcard.get(parent) ?? none, anyHost]) {
        for (const route of bucket) {
          if (!route.path.matches(normalized.path)) continue;
          if (knownMethod && (route.methods === null || route.methods.has(method as HttpMethod))) {
            return { route: route.config, path: normalized.path, search: normalized.search };
          }
          pathMatched = true;
        }
      }
      return pathMatched ? refusals.method_not_allowed : refusals.no_route;
    },
  };
}

function append(map: Map<string, CompiledRoute[]>, key: string, route: CompiledRoute): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [route]);
  else list.push(route);
}
