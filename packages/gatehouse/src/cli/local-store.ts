import { formatIssue, loadConfig, type GatehouseConfig } from '../config/index.ts';
import { storeUrl } from '../issuer/open-issuer.ts';
import { openStore, type Store } from '../store/index.ts';
import type { CommandArgs, CommandContext } from './command.ts';
import { configPath } from './common-options.ts';

export interface LocalConfig {
  readonly config: GatehouseConfig;
  /** The file it was loaded from (absolute). */
  readonly configPath: string;
}

export interface LocalStore extends LocalConfig {
  readonly store: Store;
}

/** Loads the configuration a command names (--config, $GATEHOUSE_CONFIG, ./gatehouse.yaml); warnings go to stderr. */
export async function loadLocalConfig(args: CommandArgs, context: CommandContext): Promise<LocalConfig> {
  const path = configPath(args, context);
  const { config, warnings } = await loadConfig(path, { env: context.io.env });
  for (const warning of warnings) context.note(`warning: ${formatIssue(warning)}`);
  return { config, configPath: path };
}

/**
 * Opens the configured store (migrated) without the master key or the key manager, runs `use`, and
 * closes it whatever happens: for the commands that only read the store (`users list`, `audit
 * tail`, …) or write rows that need no key (`clients add`). They work without GATEHOUSE_MASTER_KEY
 * and never advance the key lifecycle as a side effect; state changes that revoke or sign use
 * withLocalServices instead.
 */
export async function withLocalStore<T>(args: CommandArgs, context: CommandContext, use: (local: LocalStore) => Promise<T>): Promise<T> {
  const local = await loadLocalConfig(args, context);
  const store = await openStore(storeUrl(local.config.store));
  try {
    return await use({ ...local, store });
  } finally {
    await store.close();
  }
}
