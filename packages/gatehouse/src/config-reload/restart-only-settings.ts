import { isDeepStrictEqual } from 'node:util';
import type { GatehouseConfig, ListenAddress, StoreConfig } from '../config/index.ts';
import { ServerError } from '../errors.ts';
import { redactStoreUrl } from '../store/store-url.ts';

interface RestartOnlySetting {
  read(config: GatehouseConfig): unknown;
  /** For the message; never a secret (a PostgreSQL password is redacted). */
  describe(config: GatehouseConfig): string;
}

/**
 * Settings a running process cannot take on, by their place in the document: the listeners are
 * bound sockets, the store is open connections, the issuer is the `iss` of every token already
 * out there, and the master key file unsealed the signing keys at start.
 */
export const RESTART_ONLY_SETTINGS: Readonly<Record<string, RestartOnlySetting>> = Object.freeze({
  issuer: { read: (config) => config.issuer, describe: (config) => config.issuer },
  'listen.gateway': { read: (config) => config.listen.gateway, describe: (config) => listenAddress(config.listen.gateway) },
  'listen.issuer': { read: (config) => config.listen.issuer, describe: (config) => listenAddress(config.listen.issuer) },
  'listen.control': { read: (config) => config.listen.control, describe: (config) => listenAddress(config.listen.control) },
  store: { read: (config) => config.store, describe: (config) => storeLocation(config.store) },
  'keys.masterKeyFile': {
    read: (config) => config.keys.masterKeyFile,
    describe: (config) => config.keys.masterKeyFile ?? '(none: GATEHOUSE_MASTER_KEY)',
  },
});

/** config_restart_required: a reload changed settings that only a restart applies. */
export class ConfigRestartRequiredError extends ServerError {
  readonly file: string;
  /** Document paths, in RESTART_ONLY_SETTINGS order (`issuer`, `listen.gateway`, …). */
  readonly settings: readonly string[];

  constructor(file: string, changes: readonly { setting: string; from: string; to: string }[]) {
    super(
      'config_restart_required',
      `${file}: the reload was refused and the running configuration stays, because these settings take effect only on a restart:\n` +
        changes.map(({ setting, from, to }) => `  ${setting}: ${from} -> ${to}`).join('\n') +
        '\nRestart gatehouse to apply them, or put them back to reload the rest.',
    );
    this.name = 'ConfigRestartRequiredError';
    this.file = file;
    this.settings = changes.map((change) => change.setting);
  }
}

/** Throws ConfigRestartRequiredError naming every restart-only setting `next` changes. */
export function refuseRestartOnlyChanges(file: string, running: GatehouseConfig, next: GatehouseConfig): void {
  const changes = Object.entries(RESTART_ONLY_SETTINGS)
    .filter(([, setting]) => !isDeepStrictEqual(setting.read(running), setting.read(next)))
    .map(([name, setting]) => ({ setting: name, from: setting.describe(running), to: setting.describe(next) }));
  if (changes.length > 0) throw new ConfigRestartRequiredError(file, changes);
}

function listenAddress({ host, port }: ListenAddress): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function storeLocation(store: StoreConfig): string {
  return store.dialect === 'sqlite' ? `sqlite:${store.filename}` : redactStoreUrl(store.connectionString);
}
