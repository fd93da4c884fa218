import type { ReasonCode } from '@gatehouse/verify';
import { formatVerdict, policyVerdict, refusedTokenVerdict, type RequestVerdict } from '../../explain/request-verdict.ts';
import { ANONYMOUS, compilePolicy, type PolicyExplanation, type PolicyIdentity } from '../../policy/index.ts';
import { CliError } from '../cli-error.ts';
import { readStdin } from '../cli-io.ts';
import type { Command } from '../command.ts';
import { CONFIG_OPTION, JSON_OPTION, wantsJson } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { issuerLabel, openRouteTokenVerifier, verifyAtRoute } from '../local-token-checks.ts';
import { withLocalServices } from '../local-services.ts';
import { policyJson, policyLines } from '../policy-report.ts';
import { findRoute, HEADER_OPTION, REQUEST_OPTIONS, routeIdsHint, simulatedRequest } from '../route-arguments.ts';
import { stringFlag } from '../string-flag.ts';

type TokenResult =
  | { readonly valid: true; readonly issuer: string; readonly identity: PolicyIdentity }
  | { readonly valid: false; readonly reason: ReasonCode; readonly detail: string };

/**
 * `gatehouse policy test --route ID [--token T]`: the gateway's decision for one request at a
 * route — the token verified as the gateway verifies it (a refused token is a 401 before policy),
 * then the route's compiled policy, every rule with its verdict and reason.
 */
export const policyTest: Command = {
  path: ['policy', 'test'],
  summary: 'show how a route\'s policy decides a request, rule by rule',
  usage: '--route ID [--token TOKEN] [--method GET] [--path /x] [--ip 127.0.0.1] [--header \'NAME: VALUE\'] [--json]',
  description: [
    'Builds the request the gateway would see — the identity from --token (verified with the local keys,',
    'revocation lists and trusted issuers; without --token the request is anonymous), --method, --path,',
    '--ip and --header — and evaluates the route\'s policy with the gateway\'s engine: every deny and allow',
    'rule with PASS, FAIL or UNKNOWN and its reason, then the decision, like `verdict: allow (rule allow[1])`.',
    'Exit 0 when the request is allowed, 1 when it is denied. `--token -` reads the token from stdin.',
  ].join('\n'),
  options: {
    route: { type: 'string', placeholder: 'ID', description: 'the route whose policy decides' },
    token: { type: 'string', placeholder: 'TOKEN', description: 'the access token the request carries (default: none, anonymous)' },
    ...REQUEST_OPTIONS,
    ...HEADER_OPTION,
    ...CONFIG_OPTION,
    ...JSON_OPTION,
  },
  positionals: [0, 0],
  async run(args, context) {
    const given = stringFlag(args, 'token');
    const token = given === undefined ? undefined : (given === '-' ? await readStdin(context.io) : given).trim();
    return withLocalServices(args, context, async (local) => {
      const routeId = stringFlag(args, 'route');
      if (routeId === undefined) throw new CliError(EXIT.usage, 'policy test needs --route ID', routeIdsHint(local.config));
      const route = findRoute(local.config, routeId, local.configPath);
      const request = simulatedRequest(args, route, context);
      const now = local.services.clock();

      let tokenResult: TokenResult | null = null;
      if (token !== undefined) {
        const verifier = await openRouteTokenVerifier(local, now);
        try {
          const outcome = await verifyAtRoute(verifier, token, route);
          tokenResult = outcome.kind === 'refused'
            ? { valid: false, reason: outcome.reason, detail: outcome.detail }
            : { valid: true, issuer: outcome.verified.issuer, identity: outcome.identity };
        } finally {
          await verifier.close();
        }
      }
      const identity = tokenResult?.valid === true ? tokenResult.identity : ANONYMOUS;
      let policy: PolicyExplanation | null = null;
      let verdict: RequestVerdict;
      // A refused credential ends the request with a 401 before policy runs, as at the gateway.
      if (tokenResult?.valid === false) verdict = refusedTokenVerdict(tokenResult.reason);
      else {
        policy = compilePolicy(route).explain({ ...request, identity, now });
        verdict = policyVerdict(policy.decision);
      }
      const exit = verdict.decision === 'allow' ? EXIT.ok : EXIT.refused;

      if (wantsJson(args)) {
        context.json({
          route: route.id,
          token: tokenResult === null ? null : tokenResult.valid ? { valid: true, issuer: tokenResult.issuer } : tokenResult,
          identity: tokenResult?.valid === false ? null : { authenticated: identity.authenticated, sub: identity.sub ?? null, roles: identity.roles, scopes: identity.scopes },
          policy: policy === null ? null : policyJson(policy, request),
          verdict,
        });
        return exit;
      }
      if (tokenResult === null) context.out('identity: anonymous (no --token)');
      else if (!tokenResult.valid) context.out(`token: refused: ${tokenResult.reason}: ${tokenResult.detail}`);
      else context.out(`identity: ${JSON.stringify(identity.sub)} (${issuerLabel(local.config, tokenResult.issuer)}), roles ${JSON.stringify(identity.roles)}, scopes ${JSON.stringify(identity.scopes)}`);
      if (policy === null) context.out(`policy of route ${route.id}: not evaluated (the gateway refuses the token before policy runs)`);
      else for (const line of policyLines(policy, request)) context.out(line);
      context.out(formatVerdict(verdict));
      if (verdict.decision === 'deny' && verdict.error === 'unauthenticated' && route.login === 'browser') {
        context.note('note: on this `login: browser` route a page load gets a redirect to sign in (302) instead of the 401');
      }
      return exit;
    });
  },
};
