import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ServerError } from '../errors.ts';
import type { Environment } from './interpolate.ts';
import { parseConfig } from './parse-config.ts';
import type { LoadedConfig } from './types.ts';

export interface LoadConfigOptions {
  /** Where `${VAR}` reads. Default process.env. */
  readonly env?: Environment;
}

const OS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
};

/**
 * Reads and validates the configuration file. Throws config_unreadable (with the path and the OS
 * reason) or config_invalid (ConfigInvalidError, every issue). Relative paths inside the file
 * resolve against the file's directory.
 */
export async function loadConfig(path: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === undefined ? String((error as Error).message) : `${OS_REASONS[code] ?? (error as Error).message} (${code})`;
    throw new ServerError('config_unreadable', `cannot read the configuration file ${path}: ${reason}`, { cause: error });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new ServerError('config_unreadable', `cannot read the configuration file ${path}: it is not UTF-8 text`, { cause: error });
  }
  return parseConfig(text, { file: path, env: options.env ?? process.env, baseDir: dirname(resolve(path)) });
}
