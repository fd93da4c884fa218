import { keyStatesAt } from '../../keys/advance-keys.ts';
import { keyRetirements } from '../../keys/key-schedule.ts';
import { StoreKeyRepository } from '../../keys/store-key-repository.ts';
import type { Command } from '../command.ts';
import { CONFIG_OPTION, JSON_OPTION, wantsJson } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { formatInstant, formatOptionalInstant, jsonInstant } from '../format-time.ts';
import { withLocalStore } from '../local-store.ts';
import { formatTable } from '../text-table.ts';

/** `gatehouse keys list`: every signing key in the store with its lifecycle state and dates (public facts only). */
export const keysList: Command = {
  path: ['keys', 'list'],
  summary: 'list the signing keys: kid, algorithm, state, dates',
  usage: '[--json]',
  description: [
    'Lists every signing key in the store, oldest first, in its state as of now:',
    'pending (published, not signing yet), active (signing), retiring (no longer signing, still published',
    'until every token it signed has expired), retired (unpublished), revoked (unpublished at once).',
    'RETIRES is when the key stopped (or, for the active key, is scheduled to stop) signing.',
    'Reads the store only: no master key needed, nothing changes. Private keys are never shown.',
  ].join('\n'),
  options: { ...CONFIG_OPTION, ...JSON_OPTION },
  positionals: [0, 0],
  async run(args, context) {
    return withLocalStore(args, context, async ({ config, store }) => {
      const now = Date.now();
      const records = keyStatesAt(await new StoreKeyRepository(store.signingKeys).list(), now);
      const retiresAt = keyRetirements(records, config.keys.rotateEverySeconds);
      if (wantsJson(args)) {
        context.json(records.map((record) => ({
          kid: record.kid,
          alg: record.alg,
          state: record.state,
          createdAt: jsonInstant(record.createdAt),
          activatesAt: jsonInstant(record.activatesAt),
          retiresAt: jsonInstant(retiresAt(record)),
          unpublishedAfter: jsonInstant(record.retireAfter),
          revokedAt: jsonInstant(record.revokedAt),
        })));
        return EXIT.ok;
      }
      if (records.length === 0) {
        context.note('no signing keys yet: the first is generated when the server starts (or by `gatehouse keys rotate`)');
        return EXIT.ok;
      }
      const rows = records.map((record) => [
        record.kid,
        record.alg,
        record.state,
        formatInstant(record.createdAt),
        formatInstant(record.activatesAt),
        formatOptionalInstant(retiresAt(record)),
      ]);
      for (const line of formatTable(['KID', 'ALG', 'STATE', 'CREATED', 'ACTIVATES', 'RETIRES'], rows)) context.out(line);
      return EXIT.ok;
    });
  },
};
