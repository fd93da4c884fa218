// Route matching for the gateway. This file only re-exports.
export { compileRoutes, ROUTE_REFUSALS, type RouteTable, type RouteLookup, type RouteRefusal } from './route-table.ts';
export { normalizeRequestTarget, type RequestTarget } from './request-target.ts';
export { normalizeRequestHost } from './request-host.ts';
export { compilePathGlob, type CompiledPathGlob } from './path-glob.ts';
