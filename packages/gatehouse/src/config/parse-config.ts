import { dirname, resolve } from 'node:path';
import { buildConfigTree } from './config-tree.ts';
import { deepFreeze } from './deep-freeze.ts';
import { Diagnostics } from './diagnostics.ts';
import { readGatehouseConfig } from './gatehouse-schema.ts';
import type { Environment } from './interpolate.ts';
import { ConfigInvalidError } from './issues.ts';
import { INVALID } from './readers.ts';
import type { LoadedConfig } from './types.ts';

export interface ParseConfigOptions {
  /** The name issues carry. Default `gatehouse.yaml`. */
  readonly file?: string;
  /** Where `${VAR}` reads. Default process.env. */
  readonly env?: Environment;
  /** Directory relative paths in the file resolve against. Default: the directory of `file`. */
  readonly baseDir?: string;
}

/**
 * Validates configuration text into a deeply frozen GatehouseConfig plus warnings. Throws
 * ConfigInvalidError (config_invalid) listing every issue. Pure apart from the default env, so a
 * hot reload can parse the new text and keep the running configuration when this throws.
 */
export function parseConfig(text: string, options: ParseConfigOptions = {}): LoadedConfig {
  const file = options.file ?? 'gatehouse.yaml';
  const diagnostics = new Diagnostics(file);
  const tree = buildConfigTree(text, options.env ?? process.env, diagnostics);
  const context = { diagnostics, baseDir: options.baseDir ?? dirname(resolve(file)) };
  const config = tree === undefined ? INVALID : readGatehouseConfig({ node: tree, path: '', context });
  if (config === INVALID || diagnostics.hasIssues) {
    if (!diagnostics.hasIssues) throw new Error('internal error: the configuration was refused without an issue');
    throw new ConfigInvalidError(file, diagnostics.issues());
  }
  return deepFreeze({ config, warnings: diagnostics.warnings() });
}
