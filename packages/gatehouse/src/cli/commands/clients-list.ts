import { ClientRegistry, clientView } from '../../issuer/clients/client-registry.ts';
import type { Command } from '../command.ts';
import { CONFIG_OPTION, JSON_OPTION, wantsJson } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { withLocalStore } from '../local-store.ts';
import { formatTable } from '../text-table.ts';

/** `gatehouse clients list`: the clients of gatehouse.yaml and of the store, as the issuer merges them. */
export const clientsList: Command = {
  path: ['clients', 'list'],
  summary: 'list the OAuth clients, from the configuration and the store',
  usage: '[--json]',
  description: [
    'Lists every client the issuer knows: SOURCE config (gatehouse.yaml; change it there) or store',
    '(`gatehouse clients add`). A configured client wins over a stored one with the same id.',
    'Secrets and their hashes are never shown.',
  ].join('\n'),
  options: { ...CONFIG_OPTION, ...JSON_OPTION },
  positionals: [0, 0],
  async run(args, context) {
    return withLocalStore(args, context, async ({ config, store }) => {
      const clients = await new ClientRegistry(config.clients, store.clients).list();
      if (wantsJson(args)) {
        context.json(clients.map(clientView));
        return EXIT.ok;
      }
      if (clients.length === 0) {
        context.note('no clients yet: add one with `gatehouse clients add ID --grants …`, or in gatehouse.yaml');
        return EXIT.ok;
      }
      const cell = (items: readonly string[]): string => items.join(',') || '-';
      const rows = clients.map((client) => [client.id, client.source, client.public ? 'public' : 'confidential', cell(client.grants), cell(client.scopes), cell(client.audiences)]);
      for (const line of formatTable(['ID', 'SOURCE', 'TYPE', 'GRANTS', 'SCOPES', 'AUDIENCES'], rows)) context.out(line);
      return EXIT.ok;
    });
  },
};
