import { parseCompactJws, parseJsonObject } from '@gatehouse/verify';
import type { FastifyInstance } from 'fastify';
import { openExplainedIssuers, openRouteTokenVerifier, verifyAtRoute } from '../../cli/local-token-checks.ts';
import { policyJson } from '../../cli/policy-report.ts';
import { explainAccessToken } from '../../explain/explain-access-token.ts';
import { policyVerdict, refusedTokenVerdict, VALID_TOKEN, type RequestVerdict } from '../../explain/request-verdict.ts';
import type { TokenTarget } from '../../gateway/authn/index.ts';
import type { PolicyExplanation } from '../../policy/index.ts';
import type { ConsoleServices } from '../console-services.ts';
import { jsonBody, optionalString, requiredString } from './request-fields.ts';
import { routeNamed, simulatedRequestOf } from './simulated-request.ts';

/** Longer than any token the gateway takes (8 KiB), so that one too long is explained, not refused here. */
const MAX_PASTED_TOKEN = 48 * 1024;

/**
 * POST /console/api/explain `{ token, route?, method?, path?, ip?, headers? }` — the token
 * debugger: the same engine as `gatehouse token explain` (explain/explain-access-token.ts for the
 * check-by-check view, the gateway's own verifier for the verdict, the route's policy rule by rule),
 * on the live keys, revocation lists and running configuration. Without a route, the token is
 * checked for its own first audience and no policy runs.
 *
 * The pasted token is used for this answer only: the verifier made for it has no cache, it is
 * written to no log (the control app logs no requests; errors are logged without the request),
 * and the decision history never sees it (it holds the data plane's decisions only).
 */
export function registerExplainEndpoint(api: FastifyInstance, services: ConsoleServices): void {
  api.post('/explain', async (request) => {
    const body = jsonBody(request);
    const token = requiredString(body, 'token', MAX_PASTED_TOKEN).trim();
    const routeId = optionalString(body, 'route', 256);
    // One snapshot for the whole answer: a reload meanwhile does not mix two configurations.
    const { config, state } = services.current();
    const route = routeId === undefined ? null : routeNamed(config, routeId);
    const simulated = route === null ? null : simulatedRequestOf(route, body);
    const audience = route?.audience ?? firstAudience(token);
    const target: TokenTarget = route ?? { id: '(the token\'s audience)', audience };

    const local = { config, services: services.issuer };
    const now = services.clock();
    const issuers = await openExplainedIssuers(local, token);
    try {
      const verifier = await openRouteTokenVerifier(local, now);
      try {
        const explanation = explainAccessToken(token, {
          issuers: issuers.issuers,
          audience,
          routeId: target.id,
          leewaySeconds: config.tokens.leewaySeconds,
          nowMs: now,
          isRevoked: services.issuer.revocations.isRevoked,
        });
        const outcome = await verifyAtRoute(verifier, token, target);
        const gatewayReason = outcome.kind === 'refused' ? outcome.reason : null;
        const disagreement = (explanation.refusal?.reason ?? null) === gatewayReason ? null : gatewayReason ?? 'valid';

        let policy: PolicyExplanation | null = null;
        let verdict: RequestVerdict;
        if (outcome.kind === 'refused') verdict = refusedTokenVerdict(outcome.reason);
        else if (route === null || simulated === null) verdict = VALID_TOKEN;
        else {
          policy = state.plans.get(route.id)?.policy.explain({ ...simulated.request, identity: outcome.identity, now }) ?? null;
          verdict = policy === null ? VALID_TOKEN : policyVerdict(policy.decision);
        }
        return {
          route: route?.id ?? null,
          audience,
          now: Math.floor(now / 1000),
          header: explanation.header ?? null,
          claims: explanation.claims ?? null,
          signatureVerified: explanation.signatureVerified,
          checks: explanation.checks,
          refusal: explanation.refusal,
          policy: policy === null || simulated === null ? null : policyJson(policy, simulated.request),
          ...(simulated?.mismatch === undefined ? {} : { note: `route ${route!.id} does not serve this request (${simulated.mismatch}): the gateway would answer 404; its policy is shown anyway` }),
          verdict,
          ...(disagreement === null ? {} : { gatewayDisagrees: disagreement }),
        };
      } finally {
        await verifier.close();
      }
    } finally {
      await issuers.close();
    }
  });
}

/** The audience a token names first (unverified: only to choose what to check it against when no route is given). */
function firstAudience(token: string): string {
  const jws = parseCompactJws(token);
  const payload = jws.ok ? parseJsonObject(jws.payload) : undefined;
  const aud = payload?.ok === true && Object.hasOwn(payload.value, 'aud') ? payload.value.aud : undefined;
  if (typeof aud === 'string') return aud;
  if (Array.isArray(aud) && typeof aud[0] === 'string') return aud[0];
  return '(none)';
}
