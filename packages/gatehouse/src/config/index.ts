export { loadConfig, type LoadConfigOptions } from './load-config.ts';
export { parseConfig, type ParseConfigOptions } from './parse-config.ts';
export { ConfigInvalidError, formatIssue, type ConfigIssue, type ConfigIssueKind, type ConfigWarning, type SourcePosition } from './issues.ts';
export { SecretString } from './secret.ts';
export { parseDuration, formatDuration } from './values/duration.ts';
export type { Environment } from './interpolate.ts';
export * from './defaults.ts';
export * from './types.ts';
