// Hot reload of the configuration file. This file only re-exports.
export { createConfigReloader, type ConfigReloader, type ConfigReloaderOptions, type ConfigSnapshot, type ReloadResult } from './create-config-reloader.ts';
export { loadHashedConfig, type HashedConfig } from './load-hashed-config.ts';
export { ConfigRestartRequiredError, RESTART_ONLY_SETTINGS, refuseRestartOnlyChanges } from './restart-only-settings.ts';
export type { DirectoryWatch, DirectoryWatcher } from './watch-config-file.ts';
