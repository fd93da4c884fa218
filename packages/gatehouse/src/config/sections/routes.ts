import { booleanValue, INVALID, listOf, nonEmptyString, oneOf, oneOrMany, optional, readFields, reader, reject, required, textReader, warn, type Reader } from '../readers.ts';
import type { RouteConfig, RouteMatch } from '../types.ts';
import { headerName, httpMethod } from '../values/http-names.ts';
import { normalizeHost, normalizeHostname } from '../values/host-name.ts';
import { configId } from '../values/names.ts';
import { pathGlob } from '../values/path-glob.ts';
import { upstreamUrl } from '../values/urls.ts';
import { ruleList, type ConditionIds } from './conditions.ts';

/** A host to match: a hostname, an IP literal, or `*.` and a domain of at least two labels. */
const hostPattern: Reader<string> = textReader('a hostname, an IP address, or *.domain (no port)', (text) => {
  if (!text.startsWith('*.')) return normalizeHost(text);
  const domain = normalizeHostname(text.slice(2));
  return domain !== undefined && domain.includes('.') ? `*.${domain}` : undefined;
});

const routeMatch: Reader<RouteMatch> = reader('a mapping with host, path and methods (each optional)', (value) => {
  const read = readFields(value, {
    host: optional(hostPattern, null),
    path: optional(pathGlob, null),
    methods: optional(oneOrMany(httpMethod, { uniqueBy: (method) => method }), null),
  }, routeMatch.expected);
  const fields = read === INVALID ? undefined : read.complete();
  return fields === undefined ? INVALID : { host: fields.host, path: fields.path, methods: fields.methods };
});

/**
 * Headers whose removal would break the forwarded request itself. The gateway already strips the
 * identity headers it injects; stripHeaders adds to that list.
 */
const FRAMING_HEADERS = new Set(['host', 'content-length', 'transfer-encoding']);

const strippableHeader: Reader<string> = reader(`a header name other than ${[...FRAMING_HEADERS].join(', ')}`, (value) => {
  const name = headerName(value);
  if (name === INVALID || !FRAMING_HEADERS.has(name)) return name;
  return reject(value, strippableHeader.expected, { hint: 'the gateway needs it to forward the request' });
});

/**
 * A route. `knownAudiences` is every audience a client or trusted issuer can obtain tokens for;
 * undefined when those sections were invalid, so no warning is guessed from a partial view.
 */
export function route(knownAudiences: ReadonlySet<string> | undefined): Reader<RouteConfig> {
  const read: Reader<RouteConfig> = reader('a route: a mapping with id, match, upstream and audience', (value) => {
    const ids: ConditionIds = new Map();
    const fields = readFields(value, {
      id: required(configId),
      match: required(routeMatch),
      upstream: required(upstreamUrl),
      audience: required(nonEmptyString),
      login: optional(oneOf(['browser'] as const), null),
      allow: optional(ruleList('allow', ids), []),
      deny: optional(ruleList('deny', ids), []),
      stripHeaders: optional(listOf(strippableHeader, { uniqueBy: (name) => name }), []),
      forwardToken: optional(booleanValue, false),
    }, read.expected);
    if (fields === INVALID) return INVALID;
    const { mapping } = fields;
    const complete = fields.complete();
    if (complete === undefined) return INVALID;
    if (complete.login === 'browser' && (complete.match.host === null || complete.match.host.startsWith('*.'))) {
      return reject(mapping.at('login')!, 'login: browser only on a route with an exact match.host', {
        kind: 'conflict',
        found: complete.match.host === null ? 'a route for any host' : `the wildcard host ${JSON.stringify(complete.match.host)}`,
        hint: 'the sign-in callback URL, https://{host}/.gatehouse/callback, is built from match.host',
      });
    }
    const audienceAt = mapping.at('audience')!;
    // A login route's audience is the gateway's own client's (browser-session/gateway-client.ts).
    if (knownAudiences !== undefined && complete.login !== 'browser' && !knownAudiences.has(complete.audience)) {
      warn(audienceAt, `no client or trusted issuer has the audience ${JSON.stringify(complete.audience)}: no token will be accepted here`);
    }
    if (complete.allow.length === 0) warn(mapping.at('allow') ?? value, 'this route has no allow rule, so it refuses every request');
    return complete;
  });
  return read;
}
