// The data plane's forwarding core. This file only re-exports.
export type { DecideHook, RequestContext, Verdict, ForwardVerdict, RespondVerdict } from './verdict.ts';
export type { ExchangeRecord } from './exchange-record.ts';
export { DATA_PLANE_DEFAULTS, type DataPlaneOptions } from './data-plane-options.ts';
export { FORWARD_FAILURES, type ForwardFailure } from './forward-failures.ts';
export { HOP_BY_HOP_HEADERS } from './hop-by-hop.ts';
export { parseUpstream, type ParsedUpstream } from './upstreams.ts';
