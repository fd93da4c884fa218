import type { GatehouseConfig } from '../../config/index.ts';
import { compilePolicy, type CompiledPolicy } from '../../policy/index.ts';
import { createGatewayAuthnChain, type Authenticator, type RouteTokenVerifier } from '../authn/index.ts';
import { compileBrowserLogin, type BrowserLogin } from '../browser-session/index.ts';
import { compileRoutes, type RouteTable } from '../routing/index.ts';

/** What the pipeline needs of one route besides its configuration, compiled at load. */
export interface RoutePlan {
  readonly policy: CompiledPolicy;
  /**
   * The headers to strip when the request authenticated with its Authorization header: the
   * route's stripHeaders plus `authorization` unless the route has forwardToken: true.
   */
  readonly stripWithBearer: readonly string[];
}

/**
 * Everything the pipeline derives from the configuration's routes and trust, compiled at load and
 * swapped as one object on reload: a request reads it once and sees the old state or the new,
 * never a mix — its token is checked against the trust of the configuration whose routes it matched.
 */
export interface GatewayState {
  readonly routes: RouteTable;
  /** By route id. */
  readonly plans: ReadonlyMap<string, RoutePlan>;
  /**
   * The verifier for config.trust and config.tokens.leeway (its token cache, its JWKS clients):
   * successive states share one while those settings are unchanged. Whoever built it closes it.
   */
  readonly tokens: RouteTokenVerifier;
  /** The authenticator chain on `tokens`. */
  readonly authenticators: readonly Authenticator[];
  /** The `login: browser` hosts with their audiences, and the gateway's client at the issuer built from them. */
  readonly browserLogin: BrowserLogin;
}

/**
 * `tokens` must have been built for this configuration's trust and leeway. Throws (config_invalid)
 * on ambiguous routes or a policy that does not compile: a reload then keeps the running state.
 */
export function buildGatewayState(config: GatehouseConfig, tokens: RouteTokenVerifier): GatewayState {
  const routes = compileRoutes(config.routes);
  const plans = new Map<string, RoutePlan>();
  for (const route of config.routes) {
    const stripWithBearer = route.forwardToken ? route.stripHeaders : Object.freeze([...route.stripHeaders, 'authorization']);
    plans.set(route.id, Object.freeze({ policy: compilePolicy(route), stripWithBearer }));
  }
  return Object.freeze({ routes, plans, tokens, authenticators: createGatewayAuthnChain(tokens), browserLogin: compileBrowserLogin(config.routes) });
}
