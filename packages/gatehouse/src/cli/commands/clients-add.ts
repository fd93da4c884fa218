import { ServerError } from '../../errors.ts';
import { newStoredClient } from '../../issuer/clients/client-registry.ts';
import { generateClientSecret } from '../../issuer/clients/client-secret.ts';
import { CliError } from '../cli-error.ts';
import { clientFromFlags } from '../client-definition.ts';
import type { Command } from '../command.ts';
import { CONFIG_OPTION, JSON_OPTION, wantsJson } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { listFlag, repeatedFlag } from '../list-flag.ts';
import { withLocalStore } from '../local-store.ts';

/** `gatehouse clients add ID`: an OAuth client kept in the store, next to those of gatehouse.yaml. */
export const clientsAdd: Command = {
  path: ['clients', 'add'],
  summary: 'add an OAuth client to the store (a confidential one gets a generated secret, shown once)',
  usage: 'ID --grants GRANT,… [--scopes …] [--audiences …] [--roles …] [--public] [--redirect-uri URL]… [--json]',
  description: [
    'Adds a client by the rules of a client in gatehouse.yaml. A confidential client (the default) gets a',
    'generated secret of 256 random bits: it is printed once, here, and only its hash is stored. A public',
    'client (--public: a browser or native app) has none and uses authorization_code with PKCE.',
    'Running servers see the client at once. Clients of gatehouse.yaml are listed by `gatehouse clients list`',
    'but are changed in the file.',
    '',
    'Examples:',
    '  gatehouse clients add billing-svc --grants client_credentials --scopes orders:read --audiences orders',
    '  gatehouse clients add web --public --grants authorization_code,refresh_token --redirect-uri https://app.example.com/callback',
  ].join('\n'),
  options: {
    ...CONFIG_OPTION,
    grants: { type: 'string', multiple: true, placeholder: 'GRANT,…', description: 'client_credentials, authorization_code, refresh_token (comma-separated)' },
    scopes: { type: 'string', multiple: true, placeholder: 'SCOPE,…', description: 'scopes it may ask for' },
    audiences: { type: 'string', multiple: true, placeholder: 'AUD,…', description: 'audiences (routes) it may ask tokens for with `resource`' },
    roles: { type: 'string', multiple: true, placeholder: 'ROLE,…', description: 'roles in its client_credentials tokens' },
    public: { type: 'boolean', description: 'a public client (browser or native app): no secret, authorization_code + PKCE' },
    'redirect-uri': { type: 'string', multiple: true, placeholder: 'URL', description: 'a redirect URI for authorization_code, compared exactly' },
    ...JSON_OPTION,
  },
  positionals: [1, 1],
  async run(args, context) {
    const isPublic = args.values.public === true;
    const secret = isPublic ? undefined : generateClientSecret();
    const present = (name: string): string[] | undefined => (args.values[name] === undefined ? undefined : listFlag(args, name));
    const client = clientFromFlags({
      id: args.positionals[0]!,
      grants: present('grants'),
      scopes: present('scopes'),
      audiences: present('audiences'),
      roles: present('roles'),
      redirectUris: repeatedFlag(args, 'redirect-uri'),
      public: isPublic,
      secret,
    });
    return withLocalStore(args, context, async ({ config, store }) => {
      const taken = (where: string): CliError =>
        new CliError(EXIT.conflict, `a client with id ${JSON.stringify(client.id)} exists already ${where}`, 'pick another id; see the clients with `gatehouse clients list`');
      if (config.clients.some((configured) => configured.id === client.id)) throw taken('in the configuration file (change it there)');
      try {
        await store.clients.create(newStoredClient(client, secret, Date.now()));
      } catch (error) {
        if (error instanceof ServerError && error.code === 'store_conflict') throw taken('in the store');
        throw error;
      }
      if (wantsJson(args)) {
        context.json({ id: client.id, public: client.public, grants: client.grants, scopes: client.scopes, audiences: client.audiences, redirectUris: client.redirectUris, roles: client.roles, secret: secret ?? null });
        return EXIT.ok;
      }
      context.out(`added ${client.public ? 'public' : 'confidential'} client ${client.id} (grants ${client.grants.join(', ')})`);
      if (secret !== undefined) {
        context.out(`client secret: ${secret}`);
        context.note('the secret is shown only this once (the store keeps a hash): put it in the client\'s secret store now');
      }
      return EXIT.ok;
    });
  },
};
