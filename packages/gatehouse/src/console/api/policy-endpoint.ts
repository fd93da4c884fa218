import type { AccessTokenClaims } from '@gatehouse/verify';
import type { FastifyInstance } from 'fastify';
import { openRouteTokenVerifier, verifyAtRoute } from '../../cli/local-token-checks.ts';
import { policyJson } from '../../cli/policy-report.ts';
import { deepFreeze } from '../../config/deep-freeze.ts';
import { policyVerdict, refusedTokenVerdict, type RequestVerdict } from '../../explain/request-verdict.ts';
import { identityFromClaims } from '../../gateway/authn/index.ts';
import { ANONYMOUS, compilePolicy, type PolicyExplanation, type PolicyIdentity } from '../../policy/index.ts';
import type { ConsoleServices } from '../console-services.ts';
import { invalid, jsonBody, optionalObject, optionalString, requiredString, type JsonObject } from './request-fields.ts';
import { routeNamed, simulatedRequestOf } from './simulated-request.ts';

const MAX_PASTED_TOKEN = 48 * 1024;

/** How our own tokens' claims become an identity (the gateway's mapping for this issuer). */
const OWN_TOKEN_MAPPING = Object.freeze({ rolesClaim: Object.freeze(['roles']), readScp: false });

/**
 * POST /console/api/policy `{ route, method?, path?, host?, ip?, headers?, token? | claims? }` —
 * the policy simulator, `gatehouse policy test` in the console: the identity from a token
 * verified as the gateway verifies it (a refused token is a 401 before policy runs), or from
 * claims taken as if a token had carried them (`assumed: true` in the answer: nothing verified
 * them), or anonymous; then the route's live policy, every rule with its verdict and reason.
 * With `host`, the answer also says which route the gateway would pick for that host, path and method.
 */
export function registerPolicyEndpoint(api: FastifyInstance, services: ConsoleServices): void {
  api.post('/policy', async (request) => {
    const body = jsonBody(request);
    const { config, state } = services.current();
    const route = routeNamed(config, requiredString(body, 'route', 256));
    const { request: simulated, mismatch } = simulatedRequestOf(route, body);
    const host = optionalString(body, 'host', 512);
    const token = optionalString(body, 'token', MAX_PASTED_TOKEN)?.trim();
    const claims = optionalObject(body, 'claims');
    if (token !== undefined && claims !== undefined) throw invalid('give token or claims, not both');
    const now = services.clock();

    let identity: PolicyIdentity = ANONYMOUS;
    let tokenResult: { readonly valid: true; readonly issuer: string } | { readonly valid: false; readonly reason: string; readonly detail: string } | null = null;
    let verdict: RequestVerdict | undefined;
    if (token !== undefined) {
      const verifier = await openRouteTokenVerifier({ config, services: services.issuer }, now);
      try {
        const outcome = await verifyAtRoute(verifier, token, route);
        if (outcome.kind === 'refused') {
          tokenResult = { valid: false, reason: outcome.reason, detail: outcome.detail };
          verdict = refusedTokenVerdict(outcome.reason);
        } else {
          tokenResult = { valid: true, issuer: outcome.verified.issuer };
          identity = outcome.identity;
        }
      } finally {
        await verifier.close();
      }
    } else if (claims !== undefined) {
      identity = assumedIdentity(claims);
    }

    let policy: PolicyExplanation | null = null;
    if (verdict === undefined) {
      policy = (state.plans.get(route.id)?.policy ?? compilePolicy(route)).explain({ ...simulated, identity, now });
      verdict = policyVerdict(policy.decision);
    }
    const routing = host === undefined ? undefined : state.routes.match(host, simulated.path, simulated.method);
    return {
      route: route.id,
      decision: verdict.decision === 'allow' ? 'allow' : 'deny',
      status: verdict.status,
      error: verdict.error,
      rule: verdict.rule,
      reason: verdict.reason,
      trace: policy === null ? null : policyJson(policy, simulated),
      assumed: claims !== undefined,
      identity: verdict.error === 'invalid_token' ? null : { authenticated: identity.authenticated, sub: identity.sub ?? null, roles: identity.roles, scopes: identity.scopes },
      token: tokenResult,
      ...(routing === undefined ? {} : { routing: routing.route === null ? { route: null, refusal: routing.reason } : { route: routing.route.id, refusal: null } }),
      ...(mismatch === undefined ? {} : { note: `route ${route.id} does not serve this request (${mismatch}): the gateway would answer 404; its policy is shown anyway` }),
    };
  });
}

/**
 * The identity claims would give if a token of this issuer carried them: `roles` a string or a
 * list of strings, `scope` a space-separated string or a list. Checked, frozen, then mapped by
 * the gateway's own identityFromClaims.
 */
function assumedIdentity(claims: JsonObject): PolicyIdentity {
  const own = (name: string): unknown => (Object.hasOwn(claims, name) ? claims[name] : undefined);
  const sub = own('sub');
  if (sub !== undefined && typeof sub !== 'string') throw invalid('claims.sub: expected a string');
  const roles = own('roles');
  if (roles !== undefined && !isStringOrList(roles)) throw invalid('claims.roles: expected a string or a list of strings');
  const scope = own('scope');
  if (scope !== undefined && !isStringOrList(scope)) throw invalid('claims.scope: expected a space-separated string or a list of strings');
  const normalized = deepFreeze({ ...claims, ...(Array.isArray(scope) ? { scope: scope.join(' ') } : {}) });
  return identityFromClaims(normalized as unknown as AccessTokenClaims, OWN_TOKEN_MAPPING).identity;
}

function isStringOrList(value: unknown): boolean {
  return typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
}
