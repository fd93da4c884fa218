/**
 * Which route serves a request when several match: the most specific one. Specificity is compared
 * key by key, the first difference deciding:
 *
 *  1. host: an exact host beats a `*.domain` wildcard, which beats a route without a host;
 *  2. path (a route without a path counts as `/**`): more literal segments before the first `*`
 *     or `**` (the longest literal prefix); then a glob without `**` over one with it; then more
 *     literal segments overall;
 *  3. methods: a route that lists methods beats one that takes any method.
 *
 * Two routes equal on every key that can match one same request are refused at load
 * (config_invalid, naming both): the table never depends on the order routes are written in.
 * "Can match one same request" is exact: the same host pattern, methods in common (or either
 * taking any), and a path both globs match.
 */
import { ServerError } from '../../errors.ts';
import type { HttpMethod, RouteConfig } from '../../config/types.ts';
import { compilePathGlob, pathGlobsOverlap, pathSpecificity, type CompiledPathGlob } from './path-glob.ts';

export type HostClass = 'exact' | 'wildcard' | 'any';

/** A route with what matching it needs, computed once at load. */
export interface CompiledRoute {
  readonly config: RouteConfig;
  readonly hostClass: HostClass;
  readonly path: CompiledPathGlob;
  /** null: any method. */
  readonly methods: ReadonlySet<HttpMethod> | null;
  /** Larger is more specific, compared element by element. */
  readonly specificity: readonly number[];
}

const ANY_PATH = '/**';
const HOST_RANK: Record<HostClass, number> = { exact: 2, wildcard: 1, any: 0 };

export function compileRoute(config: RouteConfig): CompiledRoute {
  const { host, path, methods } = config.match;
  const hostClass: HostClass = host === null ? 'any' : host.startsWith('*.') ? 'wildcard' : 'exact';
  const glob = compilePathGlob(path ?? ANY_PATH);
  return {
    config,
    hostClass,
    path: glob,
    methods: methods === null ? null : new Set(methods),
    specificity: [HOST_RANK[hostClass], ...pathSpecificity(glob), methods === null ? 0 : 1],
  };
}

/** Negative when `a` is more specific than `b`: sorting with it puts the winner first. */
export function compareSpecificity(a: CompiledRoute, b: CompiledRoute): number {
  for (let index = 0; index < a.specificity.length; index++) {
    const difference = b.specificity[index]! - a.specificity[index]!;
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Throws config_invalid naming every pair of routes that tie on specificity and overlap. */
export function refuseAmbiguousRoutes(routes: readonly CompiledRoute[]): void {
  const ties: string[] = [];
  for (let i = 0; i < routes.length; i++) {
    for (let j = i + 1; j < routes.length; j++) {
      const a = routes[i]!;
      const b = routes[j]!;
      if (compareSpecificity(a, b) === 0 && canMatchSameRequest(a, b)) ties.push(`"${a.config.id}" and "${b.config.id}"`);
    }
  }
  if (ties.length > 0) {
    throw new ServerError(
      'config_invalid',
      `routes ${ties.join(', ')} match the same requests and neither is more specific (host, then path, then methods): make one more specific or merge them`,
    );
  }
}

function canMatchSameRequest(a: CompiledRoute, b: CompiledRoute): boolean {
  // Equal specificity means the same host class, so the patterns overlap only when equal.
  if (a.config.match.host !== b.config.match.host) return false;
  if (a.methods !== null && b.methods !== null && ![...a.methods].some((method) => b.methods!.has(method))) return false;
  return pathGlobsOverlap(a.path, b.path);
}
