import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AnomalyDetector } from '../../anomaly/index.ts';
import { tooManyRequests } from '../../anomaly/index.ts';
import type { RouteConfig } from '../../config/index.ts';
import type { Decision } from '../../policy/index.ts';
import type { AssertionCache } from '../assertion/assertion-cache.ts';
import { authenticate, BEARER_AUTHENTICATOR_ID, SESSION_COOKIE_AUTHENTICATOR_ID, type Authenticated, type AuthnResult, type Refused } from '../authn/index.ts';
import { signInRedirect, type BrowserSessions } from '../browser-session/index.ts';
import type { DecideHook, RequestContext, Verdict } from '../forward/index.ts';
import type { GatewayAudit } from './gateway-audit.ts';
import type { GatewayState, RoutePlan } from './gateway-state.ts';
import { createIdentityForwarding, IDENTITY_HEADERS } from './identity-headers.ts';
import { REFUSALS, type RefusalResponse } from './refusal-responses.ts';
import { sameOrigin } from './same-origin.ts';

export interface DecidePipelineOptions {
  /** The running state (routes, policies, the authenticators on the trust of that configuration): read once per request. */
  readonly state: () => GatewayState;
  readonly anomalies: AnomalyDetector;
  /** Identity headers and upstream assertions, one signature per token and route for half the assertion's life. */
  readonly assertions: AssertionCache;
  /** Milliseconds since the epoch, for time conditions in policy. */
  readonly clock: () => number;
  /** Seconds one authentication took (cache hit or full verify). */
  readonly observeTokenVerify?: (seconds: number) => void;
  /** The `/.gatehouse/` endpoints on login hosts, and page loads sent to sign in on `login: browser` routes. */
  readonly browserSessions?: BrowserSessions;
  /**
   * True while the revocation lists may lack revocations made elsewhere: their last sync with the
   * store is older than the grace (`cluster.failClosedAfter`). Default: never.
   */
  readonly revocationsStale?: () => boolean;
}

type GatewayVerdict = Verdict<GatewayAudit>;

/** Methods a browser sends cross-site without a preflight that change nothing (RFC 9110 safe methods). */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The gateway's decide hook, one step after another; every refusal ends the request here, before
 * any upstream is contacted, with a generic body and the precise reason in the audit record:
 *
 *  0. own paths  — on a host with a `login: browser` route, /.gatehouse/… is the gateway's
 *                  (browser-session/: callback, silent renewal, logout), never forwarded
 *  1. route      — the route table (bad_host, bad_path → 400; no_route, method_not_allowed → 404)
 *  2. address    — a blocked client address is answered 429 before any signature is checked
 *  3. authn      — Bearer header, then session cookie; a refused credential → 401 invalid_token
 *                  (and counted by the anomaly detector)
 *  4. subject    — a blocked verified subject → 429
 *  5. origin     — a state-changing request on a cookie credential must come from the same host (CSRF)
 *  6. authz      — the route's policy: deny → 401 (anonymous) or 403 insufficient_scope; on a
 *                  `login: browser` route a page load that would get a 401 (no credential, or a
 *                  refused session cookie) is sent to sign in (302) instead
 *  7. freshness  — a request on a verified credential while the revocation lists are stale → 503
 *                  (fail closed: a revocation made at another replica may be missing here)
 *  8. forward    — identity headers and a signed assertion for the identity, route and audience
 *
 * Synchronous throughout for a cached token with a cached assertion (no microtask, no promise).
 */
export function createDecidePipeline(options: DecidePipelineOptions): DecideHook<GatewayAudit> {
  const { anomalies, assertions, clock } = options;
  const observeTokenVerify = options.observeTokenVerify ?? (() => {});
  const revocationsStale = options.revocationsStale ?? (() => false);
  const forwarding = createIdentityForwarding();

  return function decideGatewayRequest(request: IncomingMessage, context: RequestContext): GatewayVerdict | Promise<GatewayVerdict> {
    const state = options.state();
    const method = request.method ?? '';
    const ownEndpoint = options.browserSessions?.endpointFor(request, state.browserLogin);
    if (ownEndpoint !== undefined) return ownEndpoint(request, context);
    const lookup = state.routes.match(request.headers.host, request.url ?? '', method);
    if (lookup.route === null) {
      const response = lookup.reason === 'bad_host' || lookup.reason === 'bad_path' ? REFUSALS.badRequest : REFUSALS.notFound;
      return respond(response, denied(null, lookup.reason));
    }
    const { route, path, search } = lookup;
    const plan = state.plans.get(route.id)!;

    const addressBlock = anomalies.check({ ip: context.clientIp });
    if (addressBlock !== undefined) return respond(tooManyRequests(addressBlock.retryAfterSeconds), denied(route.id, 'anomaly_blocked'));

    const started = performance.now();
    const authn = authenticate(state.authenticators, request, route);
    if (authn instanceof Promise) {
      return authn.then((settled) => {
        observeTokenVerify((performance.now() - started) / 1000);
        return authorize(settled);
      });
    }
    observeTokenVerify((performance.now() - started) / 1000);
    return authorize(authn);

    function authorize(authn: AuthnResult): GatewayVerdict | Promise<GatewayVerdict> {
      if (authn.kind === 'refused') {
        const refusal = refuseCredential(authn, route, context);
        return authn.authenticator === SESSION_COOKIE_AUTHENTICATOR_ID ? orSignIn(refusal) : refusal;
      }
      const verified = authn.kind === 'authenticated' ? authn : null;
      if (verified !== null) {
        const claims = verified.verified.claims;
        const subjectBlock = anomalies.check({ ip: context.clientIp, sub: claims.sub });
        if (subjectBlock !== undefined) return respond(tooManyRequests(subjectBlock.retryAfterSeconds), denied(route.id, 'anomaly_blocked', verified));
        if (verified.authenticator === SESSION_COOKIE_AUTHENTICATOR_ID && !SAFE_METHODS.has(method) && !sameOrigin(request)) {
          return respond(REFUSALS.forbidden, denied(route.id, 'origin_mismatch', verified));
        }
      }
      const decision = plan.policy.decide({ identity: authn.identity, method, path, ip: context.clientIp, headers: request.headers, now: clock() });
      if (decision.effect === 'deny') {
        if (decision.status === 401) return orSignIn(respond(REFUSALS.unauthenticated, denied(route.id, decision.reason, verified, decision)));
        return respond(REFUSALS.insufficientScope, denied(route.id, decision.reason, verified, decision));
      }
      return forward(route, plan, `${path}${search}`, decision, verified);
    }

    /** A 401 on a `login: browser` route: a page load is sent to sign in instead, with the same decision line. */
    function orSignIn(refusal: GatewayVerdict): GatewayVerdict {
      if (route.login !== 'browser' || options.browserSessions === undefined || refusal.audit === undefined) return refusal;
      return signInRedirect(request, context.websocket, `${path}${search}`, refusal.audit) ?? refusal;
    }
  };

  function refuseCredential(refused: Refused, route: RouteConfig, context: RequestContext): GatewayVerdict {
    const facts = refused.unverified;
    const verified = refused.signatureVerified;
    anomalies.recordFailure({
      ip: context.clientIp,
      sub: verified ? facts?.sub : undefined,
      jti: verified ? facts?.jti : undefined,
      kid: verified ? facts?.kid : undefined,
      reason: refused.reason,
    });
    return respond(REFUSALS.invalidToken, {
      route: route.id,
      decision: 'deny',
      reason: refused.reason,
      ruleId: null,
      sub: verified ? facts?.sub ?? null : null,
      clientId: verified ? facts?.client_id ?? null : null,
      jti: verified ? facts?.jti ?? null : null,
      kid: facts?.kid ?? null,
    });
  }

  function forward(route: RouteConfig, plan: RoutePlan, target: string, decision: Decision, verified: Authenticated | null): GatewayVerdict | Promise<GatewayVerdict> {
    // Only a credential depends on the lists: a request policy admits without one is not refused.
    if (verified !== null && revocationsStale()) return respond(REFUSALS.unavailable, denied(route.id, 'revocations_stale', verified));
    const audit = allowed(route.id, decision, verified);
    // The token the gateway consumed stays here unless the route forwards it (forwardToken).
    const stripHeaders = verified?.authenticator === BEARER_AUTHENTICATOR_ID ? plan.stripWithBearer : route.stripHeaders;
    if (verified === null || verified.identity.sub === undefined) {
      return { kind: 'forward', upstream: route.upstream, injectHeaders: NO_HEADERS, stripHeaders, path: target, audit };
    }
    const headers = assertions.headers(forwarding(verified.identity, verified.verified.claims), route);
    const verdict = (injectHeaders: Readonly<Record<string, string>>): GatewayVerdict => ({ kind: 'forward', upstream: route.upstream, injectHeaders, stripHeaders, path: target, audit });
    return headers instanceof Promise ? headers.then(verdict) : verdict(headers);
  }
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

function respond(response: RefusalResponse, audit: GatewayAudit): GatewayVerdict {
  return { kind: 'respond', status: response.status, headers: response.headers, body: response.body, audit };
}

function denied(route: string | null, reason: GatewayAudit['reason'], verified: Authenticated | null = null, decision?: Decision): GatewayAudit {
  return audited(route, 'deny', reason, decision?.ruleId ?? null, verified);
}

function allowed(route: string, decision: Decision, verified: Authenticated | null): GatewayAudit {
  return audited(route, 'allow', null, decision.ruleId, verified);
}

/** One literal of one shape, no spreads: this runs on every request. */
function audited(route: string | null, decision: GatewayAudit['decision'], reason: GatewayAudit['reason'], ruleId: string | null, verified: Authenticated | null): GatewayAudit {
  if (verified === null) return { route, decision, reason, ruleId, sub: null, clientId: null, jti: null, kid: null };
  const claims = verified.verified.claims;
  return {
    route,
    decision,
    reason,
    ruleId,
    sub: claims.sub,
    clientId: typeof claims.client_id === 'string' ? claims.client_id : null,
    jti: typeof claims.jti === 'string' ? claims.jti : null,
    kid: verified.verified.kid,
  };
}
