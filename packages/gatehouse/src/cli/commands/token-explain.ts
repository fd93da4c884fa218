import { explainAccessToken, TOKEN_CHECKS, type TokenCheck } from '../../explain/explain-access-token.ts';
import { formatVerdict, policyVerdict, refusedTokenVerdict, VALID_TOKEN, type RequestVerdict } from '../../explain/request-verdict.ts';
import { compilePolicy, type PolicyExplanation } from '../../policy/index.ts';
import { CliError } from '../cli-error.ts';
import type { Command } from '../command.ts';
import { CONFIG_OPTION, JSON_OPTION, wantsJson } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { formatInstant } from '../format-time.ts';
import { audienceTarget, openExplainedIssuers, openRouteTokenVerifier, verifyAtRoute } from '../local-token-checks.ts';
import { withLocalServices } from '../local-services.ts';
import { policyJson, policyLines } from '../policy-report.ts';
import { HEADER_OPTION, REQUEST_OPTIONS, ROUTE_OPTION, simulatedRequest } from '../route-arguments.ts';
import { tokenArgument } from '../token-argument.ts';

const STATUS_WORDS = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;
const CHECK_WIDTH = Math.max(...Object.keys(TOKEN_CHECKS).map((check) => check.length));

/**
 * `gatehouse token explain TOKEN --route ID`: why the gateway takes or refuses a token at a route,
 * check by check, then the route's policy, then the verdict. The checks are the verify SDK's own
 * pieces (explain/explain-access-token.ts); the verdict is what the gateway's verifier and policy
 * answer, and a disagreement between the two is reported as the bug it would be.
 */
export const tokenExplain: Command = {
  path: ['token', 'explain'],
  summary: 'explain check by check why a token is accepted or refused at a route',
  usage: 'TOKEN (--route ID | --aud AUD) [--method GET] [--path /x] [--ip 127.0.0.1] [--header \'NAME: VALUE\'] [--json]',
  description: [
    'Prints every check of the gateway\'s token verification (DESIGN.md "Verification") in the order the',
    'gateway runs them, each PASS, FAIL (with its reason code) or SKIP (with why it could not run); then,',
    'with --route, the route\'s policy rule by rule for the request --method, --path, --ip and --header',
    'describe; then the verdict the gateway would give, like `verdict: 401 invalid_token (token_expired)`.',
    'Exit 0 when the verdict is allow (or valid, with --aud), 1 otherwise. `-` reads the token from stdin.',
  ].join('\n'),
  options: {
    ...ROUTE_OPTION,
    aud: { type: 'string', placeholder: 'AUD', description: 'check this audience instead of a route (no policy)' },
    ...REQUEST_OPTIONS,
    ...HEADER_OPTION,
    ...CONFIG_OPTION,
    ...JSON_OPTION,
  },
  positionals: [1, 1],
  async run(args, context) {
    const token = await tokenArgument(args, context);
    return withLocalServices(args, context, async (local) => {
      const target = audienceTarget(args, local, 'token explain');
      const requestFlags = ['method', 'path', 'ip', 'header'].filter((flag) => args.values[flag] !== undefined);
      if (target.route === null && requestFlags.length > 0) {
        throw new CliError(EXIT.usage, `--${requestFlags[0]} describes a request to a route's policy: it needs --route`, 'pass --route ID instead of --aud');
      }
      const request = target.route === null ? null : simulatedRequest(args, target.route, context);
      const now = local.services.clock();
      const issuers = await openExplainedIssuers(local, token);
      const verifier = await openRouteTokenVerifier(local, now).catch(async (error: unknown) => {
        await issuers.close();
        throw error;
      });
      try {
        const explanation = explainAccessToken(token, {
          issuers: issuers.issuers,
          audience: target.audience,
          routeId: target.verifierRoute.id,
          leewaySeconds: local.config.tokens.leewaySeconds,
          nowMs: now,
          isRevoked: local.services.revocations.isRevoked,
        });
        const outcome = await verifyAtRoute(verifier, token, target.verifierRoute);
        const gatewayReason = outcome.kind === 'refused' ? outcome.reason : null;
        const disagreement = (explanation.refusal?.reason ?? null) === gatewayReason ? null : gatewayReason ?? 'valid';

        let policy: PolicyExplanation | null = null;
        let verdict: RequestVerdict;
        if (outcome.kind === 'refused') verdict = refusedTokenVerdict(outcome.reason);
        else if (target.route === null || request === null) verdict = VALID_TOKEN;
        else {
          policy = compilePolicy(target.route).explain({ ...request, identity: outcome.identity, now });
          verdict = policyVerdict(policy.decision);
        }
        const exit = verdict.decision === 'deny' ? EXIT.refused : EXIT.ok;

        if (wantsJson(args)) {
          context.json({
            audience: target.audience,
            route: target.route?.id ?? null,
            now: Math.floor(now / 1000),
            checks: explanation.checks,
            refusal: explanation.refusal,
            policy: policy === null || request === null ? null : policyJson(policy, request),
            verdict,
            ...(disagreement === null ? {} : { gatewayDisagrees: disagreement }),
          });
          return exit;
        }
        context.out(`checks for audience ${JSON.stringify(target.audience)}${target.route === null ? '' : ` (route ${target.route.id})`} at ${formatInstant(now)}, in the gateway's order`);
        for (const check of explanation.checks) context.out(checkLine(check));
        if (target.route !== null && request !== null) {
          if (policy === null) context.out(`policy of route ${target.route.id}: not evaluated (the gateway refuses the token before policy runs)`);
          else for (const line of policyLines(policy, request)) context.out(line);
        }
        if (disagreement !== null) {
          context.out(`note: the gateway's verifier says ${disagreement}, the checks above ${explanation.refusal?.reason ?? 'valid'}; the verdict is the gateway's. This is a bug: please report it`);
        }
        context.out(formatVerdict(verdict));
        return exit;
      } finally {
        await verifier.close();
        await issuers.close();
      }
    });
  },
};

function checkLine(check: TokenCheck): string {
  const detail = check.status === 'fail' ? `${check.reason}: ${check.detail}` : check.detail;
  return `  ${STATUS_WORDS[check.status]}  ${check.check.padEnd(CHECK_WIDTH)}  ${detail}`;
}
