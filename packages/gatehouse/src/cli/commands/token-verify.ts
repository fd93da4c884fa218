import { describeInstant } from '../../explain/explain-access-token.ts';
import type { Command } from '../command.ts';
import { CONFIG_OPTION, JSON_OPTION, wantsJson } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { audienceTarget, issuerLabel, openRouteTokenVerifier, verifyAtRoute } from '../local-token-checks.ts';
import { withLocalServices } from '../local-services.ts';
import { ROUTE_OPTION } from '../route-arguments.ts';
import { tokenArgument } from '../token-argument.ts';

/** `gatehouse token verify TOKEN`: the gateway's own verifier, on the local keys, revocation lists and trust entries. */
export const tokenVerify: Command = {
  path: ['token', 'verify'],
  summary: 'verify a token as the gateway would (signature, claims, audience, revocation)',
  usage: 'TOKEN (--route ID | --aud AUD) [--json]',
  description: [
    'Runs every check of the gateway\'s verifier against this gatehouse\'s keys and revocation lists and the',
    'configuration\'s trusted issuers. The audience is the route\'s (--route) or the one given (--aud).',
    'Exit 0 and the verified identity when the token is valid; exit 1 and `refused: <reason>: <detail>` when not.',
    '`-` reads the token from stdin. `gatehouse token explain` shows every check one by one.',
  ].join('\n'),
  options: { ...ROUTE_OPTION, aud: { type: 'string', placeholder: 'AUD', description: 'the audience to check instead of a route\'s' }, ...CONFIG_OPTION, ...JSON_OPTION },
  positionals: [1, 1],
  async run(args, context) {
    const token = await tokenArgument(args, context);
    return withLocalServices(args, context, async (local) => {
      const target = audienceTarget(args, local, 'token verify');
      const now = local.services.clock();
      const verifier = await openRouteTokenVerifier(local, now);
      try {
        const outcome = await verifyAtRoute(verifier, token, target.verifierRoute);
        const where = { audience: target.audience, route: target.route?.id ?? null };
        if (outcome.kind === 'refused') {
          if (wantsJson(args)) context.json({ valid: false, reason: outcome.reason, detail: outcome.detail, ...where });
          else {
            context.out(`refused: ${outcome.reason}: ${outcome.detail}`);
            context.note('  → `gatehouse token explain` with the same arguments shows every check');
          }
          return EXIT.refused;
        }
        const { verified, identity, notes } = outcome;
        const claims = verified.claims;
        if (wantsJson(args)) {
          context.json({
            valid: true,
            ...where,
            issuer: verified.issuer,
            sub: claims.sub,
            roles: identity.roles,
            scopes: identity.scopes,
            client_id: claims.client_id ?? null,
            exp: claims.exp,
            kid: verified.kid,
            jti: claims.jti ?? null,
            header: verified.header,
            claims,
            notes,
          });
          return EXIT.ok;
        }
        context.out(`valid for ${target.route === null ? `audience ${JSON.stringify(target.audience)}` : `route ${target.route.id} (audience ${JSON.stringify(target.audience)})`}`);
        const rows: [string, string][] = [
          ['issuer', `${JSON.stringify(verified.issuer)} (${issuerLabel(local.config, verified.issuer)})`],
          ['sub', JSON.stringify(claims.sub)],
          ['aud', JSON.stringify(claims.aud)],
          ['roles', JSON.stringify(identity.roles)],
          ['scopes', JSON.stringify(identity.scopes)],
          ['client_id', JSON.stringify(claims.client_id ?? null)],
          ['exp', `${claims.exp}  ${describeInstant(claims.exp, now)}`],
          ['kid', JSON.stringify(verified.kid)],
          ['jti', JSON.stringify(claims.jti ?? null)],
        ];
        for (const [name, value] of rows) context.out(`  ${name.padEnd(10)} ${value}`);
        for (const note of notes) context.note(`note: ${note.code}: ${note.detail}`);
        return EXIT.ok;
      } finally {
        await verifier.close();
      }
    });
  },
};
