import { parseCompactJws, parseJsonObject } from '@gatehouse/verify';
import { CliError } from '../cli-error.ts';
import type { Command } from '../command.ts';
import { readStdin } from '../cli-io.ts';
import { JSON_OPTION, wantsJson } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';

/** `gatehouse token decode TOKEN`: header and claims, strictly parsed, NOT verified (it says so). */
export const tokenDecode: Command = {
  path: ['token', 'decode'],
  summary: 'show a token\'s header and claims (no verification)',
  usage: 'TOKEN [--json]',
  description: 'Parses the compact JWS as strictly as the verifier does and prints its header and claims.\nNothing is verified: use `gatehouse token verify` or `token explain` for that. `-` reads the token from stdin.',
  options: { ...JSON_OPTION },
  positionals: [1, 1],
  async run(args, context) {
    const given = args.positionals[0]!;
    const token = (given === '-' ? await readStdin(context.io) : given).trim();
    const parsed = parseCompactJws(token);
    if (!parsed.ok) throw new CliError(EXIT.refused, `not a token: ${parsed.reason} (${parsed.detail})`, 'pass the whole compact token: three base64url parts separated by dots');
    const payload = parseJsonObject(parsed.payload);
    if (!payload.ok) throw new CliError(EXIT.refused, `not a JWT: the payload is not a JSON object (${payload.fault})`, 'a JWS whose payload is not a JSON object carries no claims to show');
    const claims = payload.value;
    if (wantsJson(args)) {
      context.json({ header: parsed.header, claims, verified: false });
      return EXIT.ok;
    }
    context.out('header');
    for (const [name, value] of Object.entries(parsed.header)) context.out(`  ${name.padEnd(10)} ${JSON.stringify(value)}`);
    context.out('claims');
    for (const [name, value] of Object.entries(claims)) context.out(`  ${name.padEnd(10)} ${JSON.stringify(value)}${timeNote(name, value)}`);
    context.note('(not verified: `gatehouse token verify` checks it)');
    return EXIT.ok;
  },
};

function timeNote(name: string, value: unknown): string {
  if ((name === 'exp' || name === 'iat' || name === 'nbf' || name === 'auth_time') && typeof value === 'number' && Number.isFinite(value)) {
    return `  (${new Date(value * 1000).toISOString()})`;
  }
  return '';
}
