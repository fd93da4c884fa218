import type { GatehouseConfig } from '../config/index.ts';
import { openIssuer } from '../issuer/open-issuer.ts';
import type { IssuerServices } from '../issuer/issuer-services.ts';
import type { CommandArgs, CommandContext } from './command.ts';
import { loadLocalConfig } from './local-store.ts';

export interface LocalServices {
  readonly config: GatehouseConfig;
  /** The file it was loaded from (absolute). */
  readonly configPath: string;
  /** The issuer's services on the configured store and master key: keys, users, clients, revocations, minter. Nothing listens. */
  readonly services: IssuerServices;
}

/**
 * Opens what a state-changing or key-using command needs — the configuration (warnings go to
 * stderr), the store (migrated) and the key manager under the master key — runs `use`, and closes
 * them whatever happens. A running server shares the store safely: SQLite in WAL mode with a busy
 * timeout, PostgreSQL transactions; a server picks up revocations made here on its next tick
 * (on PostgreSQL, at once: they are announced with NOTIFY).
 */
export async function withLocalServices<T>(args: CommandArgs, context: CommandContext, use: (local: LocalServices) => Promise<T>): Promise<T> {
  const { config, configPath } = await loadLocalConfig(args, context);
  // A one-shot command announces its changes to running replicas (PostgreSQL) but listens to none.
  const issuer = await openIssuer(config, { env: context.io.env, cluster: { listen: false } });
  try {
    return await use({ config, configPath, services: issuer.services });
  } finally {
    await issuer.close();
  }
}
