import { DURATION_FORMAT } from '../../config/values/duration.ts';
import { formatDuration, parseDuration } from '../../config/index.ts';
import { describeInstant } from '../../explain/explain-access-token.ts';
import { MAX_ACCESS_TOKEN_TTL_SECONDS } from '../../tokens/access-token-ttl.ts';
import { CliError } from '../cli-error.ts';
import type { Command, CommandArgs } from '../command.ts';
import { CONFIG_OPTION, JSON_OPTION, wantsJson } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { listFlag } from '../list-flag.ts';
import { withLocalServices } from '../local-services.ts';
import { stringFlag } from '../string-flag.ts';
import { SCOPE_TOKEN } from '../../tokens/scope-token.ts';

/** The `client_id` of a token an operator mints by hand, unless --client-id says otherwise. */
export const CLI_CLIENT_ID = 'gatehouse-cli';

/** `gatehouse token mint`: an access token signed with the local active key, for testing routes and upstreams. */
export const tokenMint: Command = {
  path: ['token', 'mint'],
  summary: 'mint an access token with the local signing key (operator tool)',
  usage: '--sub SUB --aud AUD [--roles ROLE,…] [--scope "S1 S2"] [--client-id ID] [--ttl 5m] [--json]',
  description: [
    'Signs an access token (typ at+jwt) with the active key of the configured store, as the issuer would:',
    'iss from the configuration, a fresh jti, the lifetime from --ttl (default tokens.accessTtl, at most 1h).',
    'The token alone goes to stdout, so `TOKEN=$(gatehouse token mint --sub alice --aud orders)` works;',
    'its kid and expiry go to stderr. Anyone with the master key can do this: it is an operator tool.',
  ].join('\n'),
  options: {
    sub: { type: 'string', placeholder: 'SUB', description: 'the subject (sub claim)' },
    aud: { type: 'string', multiple: true, placeholder: 'AUD', description: 'the audience: a route\'s audience' },
    roles: { type: 'string', multiple: true, placeholder: 'ROLE,…', description: 'roles (the roles claim), comma-separated' },
    scope: { type: 'string', placeholder: '"S1 S2"', description: 'scopes, space-separated' },
    'client-id': { type: 'string', placeholder: 'ID', description: `the client_id claim (default ${CLI_CLIENT_ID})` },
    ttl: { type: 'string', placeholder: 'DURATION', description: 'the lifetime, like 30s or 5m (default tokens.accessTtl; at most 1h)' },
    ...CONFIG_OPTION,
    ...JSON_OPTION,
  },
  positionals: [0, 0],
  async run(args, context) {
    const request = mintRequest(args);
    return withLocalServices(args, context, async ({ config, services }) => {
      const unknown = request.audience.filter((aud) => !config.routes.some((route) => route.audience === aud));
      if (unknown.length > 0) context.note(`note: no route has the audience ${unknown.map((aud) => JSON.stringify(aud)).join(', ')}`);
      const minted = await services.mintAccessToken(request);
      if (wantsJson(args)) {
        context.json({ token: minted.token, kid: minted.kid, exp: minted.exp, jti: minted.jti });
        return EXIT.ok;
      }
      context.out(minted.token);
      context.note(`minted for ${request.subject} (aud ${request.audience.join(', ')}), kid ${minted.kid}, expires ${describeInstant(minted.exp, services.clock())}`);
      return EXIT.ok;
    });
  },
};

function mintRequest(args: CommandArgs) {
  const subject = stringFlag(args, 'sub');
  const audience = (args.values.aud as readonly string[] | undefined) ?? [];
  if (subject === undefined || audience.length === 0) {
    throw new CliError(EXIT.usage, `token mint needs ${subject === undefined ? '--sub' : '--aud'}`, 'for example: gatehouse token mint --sub alice --aud orders');
  }
  if (subject === '') throw new CliError(EXIT.usage, '--sub is empty', 'pass the subject the token is for, like --sub alice');
  if (audience.some((aud) => aud === '')) throw new CliError(EXIT.usage, '--aud is empty', 'pass a route\'s audience, like --aud orders');
  const roles = [...new Set(listFlag(args, 'roles'))];
  const scopes = (stringFlag(args, 'scope') ?? '').split(' ').filter((scope) => scope !== '');
  const badScope = scopes.find((scope) => !SCOPE_TOKEN.test(scope));
  if (badScope !== undefined) throw new CliError(EXIT.usage, `--scope: ${JSON.stringify(badScope)} is not a scope`, 'scopes are printable ASCII without `"` or `\\`, separated by spaces');
  const clientId = stringFlag(args, 'client-id') ?? CLI_CLIENT_ID;
  if (clientId === '') throw new CliError(EXIT.usage, '--client-id is empty', `leave it out for ${CLI_CLIENT_ID}`);
  return { subject, audience, clientId, roles, scopes, ...ttl(stringFlag(args, 'ttl')) };
}

function ttl(text: string | undefined): { ttlSeconds?: number } {
  if (text === undefined) return {};
  const seconds = parseDuration(text);
  if (seconds === undefined) throw new CliError(EXIT.usage, `--ttl ${JSON.stringify(text)} is not a duration`, `write ${DURATION_FORMAT}`);
  if (seconds < 1 || seconds > MAX_ACCESS_TOKEN_TTL_SECONDS) {
    throw new CliError(EXIT.usage, `--ttl ${text} is out of range`, `an access token lives from 1s to ${formatDuration(MAX_ACCESS_TOKEN_TTL_SECONDS)} (the hard cap)`);
  }
  return { ttlSeconds: seconds };
}
