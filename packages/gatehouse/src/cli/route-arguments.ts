import { isIP } from 'node:net';
import { HTTP_METHODS, type GatehouseConfig, type RouteConfig } from '../config/index.ts';
import { compilePathGlob, normalizeRequestTarget } from '../gateway/routing/index.ts';
import { CliError } from './cli-error.ts';
import type { CommandArgs, CommandContext } from './command.ts';
import { EXIT } from './exit-codes.ts';
import { stringFlag } from './string-flag.ts';

/** `--route ID`: the commands that ask what the gateway does at a route. */
export const ROUTE_OPTION = {
  route: { type: 'string', placeholder: 'ID', description: 'the route (its audience and policy) to check against' },
} as const;

/** The request `token explain` and `policy test` put to a route's policy. */
export const REQUEST_OPTIONS = {
  method: { type: 'string', placeholder: 'METHOD', description: 'the request method (default GET)' },
  path: { type: 'string', placeholder: 'PATH', description: 'the request path (default: a path the route matches)' },
  ip: { type: 'string', placeholder: 'ADDRESS', description: 'the client address (default 127.0.0.1)' },
} as const;

export const HEADER_OPTION = {
  header: { type: 'string', multiple: true, placeholder: '\'NAME: VALUE\'', description: 'a request header' },
} as const;

/** What policy sees of the simulated request, besides the identity and the clock. */
export interface SimulatedRequest {
  readonly method: string;
  /** Normalized as the gateway's route table normalizes it. */
  readonly path: string;
  readonly ip: string;
  /** Lowercase names; a repeated field joined with ", " as node:http does (set-cookie stays a list). */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
}

/** The route named `id`; a usage error listing the route ids when there is none. */
export function findRoute(config: GatehouseConfig, id: string, configPath: string): RouteConfig {
  const route = config.routes.find((candidate) => candidate.id === id);
  if (route !== undefined) return route;
  throw new CliError(EXIT.usage, `no route "${id}" in ${configPath}`, routeIdsHint(config));
}

export function routeIdsHint(config: GatehouseConfig): string {
  return config.routes.length === 0 ? 'the file defines no routes (`routes:` in gatehouse.yaml)' : `routes: ${config.routes.map((route) => route.id).join(', ')}`;
}

/**
 * --method, --path, --ip and --header, checked as the gateway would see them. A request the route
 * does not match is still put to its policy, with a note on stderr: the gateway would answer it 404.
 */
export function simulatedRequest(args: CommandArgs, route: RouteConfig, context: CommandContext): SimulatedRequest {
  const given = stringFlag(args, 'path');
  const method = stringFlag(args, 'method');
  const ip = stringFlag(args, 'ip');
  const described = describeSimulatedRequest(route, {
    ...(method === undefined ? {} : { method }),
    ...(given === undefined ? {} : { path: given }),
    ...(ip === undefined ? {} : { ip }),
  });
  if (!described.ok) {
    switch (described.field) {
      case 'method': throw new CliError(EXIT.usage, `--method ${described.value} is not a method a route can name`, `one of ${HTTP_METHODS.join(', ')} (methods are case-sensitive)`);
      case 'path': throw new CliError(EXIT.usage, `--path ${JSON.stringify(described.value)} is a path the gateway refuses (bad_path)`, 'start it with / and leave out dot segments, empty segments, encoded slashes and `;`');
      case 'ip': throw new CliError(EXIT.usage, `--ip ${JSON.stringify(described.value)} is not an IP address`, 'pass the client address as the gateway would see it, like 203.0.113.7 or 2001:db8::1');
    }
  }
  const request = { ...described.request, headers: parseHeaders(args.values.header) };
  if (described.mismatch !== undefined) context.note(`note: route ${route.id} does not serve ${request.method} ${request.path} (${described.mismatch}): the gateway would answer 404; its policy is shown anyway`);
  return request;
}

/** A request to put to a route's policy, as given (the CLI's flags, the console's simulator); what is left out gets its default. */
export interface RequestDescription {
  /** Default GET. */
  readonly method?: string;
  /** Default: a path the route matches. */
  readonly path?: string;
  /** Default 127.0.0.1. */
  readonly ip?: string;
  /** Lowercase names. Default none. */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
}

export type DescribedRequest =
  | { readonly ok: true; readonly request: SimulatedRequest; /** Why the route would not serve it (the gateway answers 404), if it would not. */ readonly mismatch: string | undefined }
  | { readonly ok: false; readonly field: 'method' | 'path' | 'ip'; readonly value: string };

/** The request the gateway's policy would see, checked as the gateway checks it (methods a route can name, the path normalized, an IP address). */
export function describeSimulatedRequest(route: RouteConfig, given: RequestDescription): DescribedRequest {
  const method = given.method ?? 'GET';
  if (!(HTTP_METHODS as readonly string[]).includes(method)) return { ok: false, field: 'method', value: method };
  const target = normalizeRequestTarget(given.path ?? defaultPath(route));
  if (target === undefined) return { ok: false, field: 'path', value: given.path ?? '' };
  const ip = given.ip ?? '127.0.0.1';
  if (isIP(ip) === 0) return { ok: false, field: 'ip', value: ip };
  const request = { method, path: target.path, ip, headers: given.headers ?? {} };
  return { ok: true, request, mismatch: routeMismatch(route, request) };
}

/** `--header 'Name: value'`, repeatable. */
function parseHeaders(values: CommandArgs['values'][string]): Readonly<Record<string, string | readonly string[]>> {
  const headers: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  const list = Array.isArray(values) ? (values as readonly string[]) : [];
  for (const field of list) {
    const colon = field.indexOf(':');
    const name = colon < 0 ? '' : field.slice(0, colon).trim().toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) {
      throw new CliError(EXIT.usage, `--header ${JSON.stringify(field)} is not 'Name: value'`, 'for example --header \'X-Tenant: acme\'');
    }
    const value = field.slice(colon + 1).trim();
    const previous = headers[name];
    if (name === 'set-cookie') headers[name] = [...((previous as string[] | undefined) ?? []), value];
    else headers[name] = previous === undefined ? value : `${previous as string}, ${value}`;
  }
  return headers;
}

/**
 * A path the route's glob matches: `*` as `x`, `**` as nothing (`/orders/**` → `/orders`), so the
 * default request reaches the route.
 */
function defaultPath(route: RouteConfig): string {
  const glob = route.match.path;
  if (glob === null) return '/';
  const segments = glob.slice(1).split('/').filter((segment) => segment !== '**').map((segment) => (segment === '*' ? 'x' : segment));
  const path = `/${segments.join('/')}`;
  return compilePathGlob(glob).matches(path) ? path : '/';
}

function routeMismatch(route: RouteConfig, request: { method: string; path: string }): string | undefined {
  const { path, methods } = route.match;
  if (path !== null && !compilePathGlob(path).matches(request.path)) return `its path is ${path}`;
  if (methods !== null && !(methods as readonly string[]).includes(request.method)) return `its methods are ${methods.join(', ')}`;
  return undefined;
}
