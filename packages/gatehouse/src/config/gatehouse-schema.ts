import { parseStoreUrl } from '../store/store-url.ts';
import { DEFAULT_ANOMALY, DEFAULT_CLUSTER, DEFAULT_KEYS, DEFAULT_LISTEN, DEFAULT_STORE_URL, DEFAULT_TOKENS } from './defaults.ts';
import { childAt, INVALID, listOf, optional, readMapping, reject, required, type Checked, type ValueAt } from './readers.ts';
import { anomalySection } from './sections/anomaly.ts';
import { client } from './sections/clients.ts';
import { clusterSection } from './sections/cluster.ts';
import { keysSection } from './sections/keys.ts';
import { listenSection } from './sections/listen.ts';
import { checkLoginRouteAudiences } from './sections/login-routes.ts';
import { route } from './sections/routes.ts';
import { storeLocation } from './sections/store.ts';
import { tokensSection } from './sections/tokens.ts';
import { trustedIssuer } from './sections/trust.ts';
import { reportRepeats } from './sections/unique-values.ts';
import type { GatehouseConfig } from './types.ts';
import { issuerUrl } from './values/urls.ts';

const TOP_LEVEL_KEYS = ['issuer', 'listen', 'store', 'keys', 'tokens', 'clients', 'routes', 'trust', 'anomaly', 'cluster'];

/** The whole document: each section, then the checks that span sections. */
export function readGatehouseConfig(root: ValueAt): Checked<GatehouseConfig> {
  const mapping = readMapping(root, TOP_LEVEL_KEYS, `a mapping with ${TOP_LEVEL_KEYS.join(', ')}`);
  if (mapping === INVALID) return INVALID;
  const issuer = required(issuerUrl).read(mapping, 'issuer');
  const listen = optional(listenSection, DEFAULT_LISTEN).read(mapping, 'listen');
  const store = optional(storeLocation, parseStoreUrl(DEFAULT_STORE_URL, root.context.baseDir)).read(mapping, 'store');
  const keys = optional(keysSection, DEFAULT_KEYS).read(mapping, 'keys');
  const tokens = optional(tokensSection, DEFAULT_TOKENS).read(mapping, 'tokens');
  const clients = optional(listOf(client), []).read(mapping, 'clients');
  const trust = optional(listOf(trustedIssuer), []).read(mapping, 'trust');
  // Audience warnings need the full picture; with an invalid section they would be guesses.
  const knownAudiences = clients === INVALID || trust === INVALID ? undefined : new Set([...clients, ...trust].flatMap((source) => source.audiences));
  const routes = optional(listOf(route(knownAudiences)), []).read(mapping, 'routes');
  const anomaly = optional(anomalySection, DEFAULT_ANOMALY).read(mapping, 'anomaly');
  const cluster = optional(clusterSection, DEFAULT_CLUSTER).read(mapping, 'cluster');

  const uniqueClients = reportRepeats(mapping.at('clients'), 'id', 'client id');
  const uniqueRoutes = reportRepeats(mapping.at('routes'), 'id', 'route id');
  const loginAudiences = routes === INVALID || checkLoginRouteAudiences(mapping.at('routes'), routes);
  const uniqueIssuers = reportRepeats(mapping.at('trust'), 'issuer', 'trusted issuer', withoutTrailingSlash);
  const ownIssuerIndex = issuer === INVALID || trust === INVALID ? -1 : trust.findIndex((trusted) => withoutTrailingSlash(trusted.issuer) === issuer);
  if (ownIssuerIndex !== -1) {
    reject(childAt(childAt(mapping.at('trust')!, ownIssuerIndex)!, 'issuer')!, 'an issuer other than this gatehouse', {
      kind: 'conflict',
      hint: 'this gatehouse trusts its own tokens already, with its own keys',
    });
  }

  if (
    issuer === INVALID || listen === INVALID || store === INVALID || keys === INVALID || tokens === INVALID ||
    clients === INVALID || trust === INVALID || routes === INVALID || anomaly === INVALID || cluster === INVALID ||
    mapping.hasUnknownKeys || !uniqueClients || !uniqueRoutes || !loginAudiences || !uniqueIssuers || ownIssuerIndex !== -1
  ) {
    return INVALID;
  }
  return { issuer, listen, store, keys, tokens, clients, routes, trust, anomaly, cluster };
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
