import { describeSimulatedRequest, type SimulatedRequest } from '../../cli/route-arguments.ts';
import { HTTP_METHODS, type GatehouseConfig, type RouteConfig } from '../../config/index.ts';
import { invalid, optionalObject, optionalString, type JsonObject } from './request-fields.ts';

/** RFC 9110 §5.1 field-name (a token), as the CLI's --header takes it. */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const MAX_HEADERS = 50;

/** The running route named by the body's `route`; invalid_request naming the routes there are otherwise. */
export function routeNamed(config: GatehouseConfig, id: string): RouteConfig {
  const { routes } = config;
  const route = routes.find((candidate) => candidate.id === id);
  if (route !== undefined) return route;
  throw invalid(`route: no route ${JSON.stringify(id)}${routes.length === 0 ? ' (there are no routes)' : `; routes: ${routes.map((known) => known.id).join(', ')}`}`);
}

/**
 * The request a body describes (`method`, `path`, `ip`, `headers`), with the CLI's defaults and
 * checks (route-arguments.ts): GET, a path the route matches, 127.0.0.1, no headers.
 */
export function simulatedRequestOf(route: RouteConfig, body: JsonObject): { readonly request: SimulatedRequest; readonly mismatch: string | undefined } {
  const method = optionalString(body, 'method', 16);
  const path = optionalString(body, 'path', 8192);
  const ip = optionalString(body, 'ip', 64);
  const headers = headersOf(optionalObject(body, 'headers'));
  const described = describeSimulatedRequest(route, {
    ...(method === undefined ? {} : { method }),
    ...(path === undefined ? {} : { path }),
    ...(ip === undefined ? {} : { ip }),
    headers,
  });
  if (described.ok) return described;
  switch (described.field) {
    case 'method': throw invalid(`method: ${JSON.stringify(described.value)} is not a method a route can name (one of ${HTTP_METHODS.join(', ')}; case-sensitive)`);
    case 'path': throw invalid(`path: ${JSON.stringify(described.value)} is a path the gateway refuses (bad_path)`);
    case 'ip': throw invalid(`ip: ${JSON.stringify(described.value)} is not an IP address`);
  }
}

/** `{ "X-Tenant": "acme" }` → lowercase names; a list value is a repeated field (joined with ", " as node:http does; set-cookie stays a list). */
function headersOf(given: JsonObject | undefined): Readonly<Record<string, string | readonly string[]>> {
  const headers: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  if (given === undefined) return headers;
  const entries = Object.entries(given);
  if (entries.length > MAX_HEADERS) throw invalid(`headers: at most ${MAX_HEADERS}`);
  for (const [field, value] of entries) {
    const name = field.toLowerCase();
    if (!FIELD_NAME.test(name)) throw invalid(`headers: ${JSON.stringify(field)} is not a header name`);
    const values = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;
    if (values === undefined) throw invalid(`headers.${field}: expected a string or a list of strings`);
    const previous = headers[name];
    const all = [...(previous === undefined ? [] : typeof previous === 'string' ? [previous] : previous), ...values];
    headers[name] = name === 'set-cookie' ? all : all.join(', ');
  }
  return headers;
}

