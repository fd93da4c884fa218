import type { GatehouseConfig } from '../../config/index.ts';
import { compilePolicy, type CompiledPolicy } from '../../policy/index.ts';
import { compileRoutes, type RouteTable } from '../routing/index.ts';

/** What the pipeline needs of one route besides its configuration, compiled at load. */
export interface RoutePlan {
  readonly policy: CompiledPolicy;
}

/**
 * Everything the pipeline derives from the configuration's routes, compiled at load and swapped
 * as one object on reload: a request reads it once and sees the old state or the new, never a mix.
 */
export interface GatewayState {
  readonly routes: RouteTable;
  /** By route id. */
  readonly plans: ReadonlyMap<string, RoutePlan>;
}

/** Throws (config_invalid) on ambiguous routes or a policy that does not compile: a reload then keeps the running state. */
export function buildGatewayState(config: GatehouseConfig): GatewayState {
  const routes = compileRoutes(config.routes);
  const plans = new Map<string, RoutePlan>();
  for (const route of config.routes) {
    plans.set(route.id, Object.freeze({ policy: compilePolicy(route) }));
  }
  return Object.freeze({ routes, plans });
}
