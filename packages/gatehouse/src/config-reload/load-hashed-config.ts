import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadConfig, type LoadConfigOptions, type LoadedConfig } from '../config/index.ts';

/** A loaded configuration and the hash of the bytes it was parsed from. */
export interface HashedConfig extends LoadedConfig {
  /**
   * SHA-256 (base64url) of the file's bytes, or null when the file changed while it was being
   * read: then nobody knows which content was parsed, and the next reload must not call it unchanged.
   */
  readonly contentHash: string | null;
}

/**
 * loadConfig, plus the hash a reload compares to tell an unchanged file. The file is hashed before
 * and after loadConfig reads it: equal hashes mean the parsed bytes are the hashed ones. Throws
 * what loadConfig throws (config_unreadable, config_invalid).
 */
export async function loadHashedConfig(path: string, options: LoadConfigOptions = {}): Promise<HashedConfig> {
  const before = await hashFile(path);
  const loaded = await loadConfig(path, options);
  const after = await hashFile(path);
  return { ...loaded, contentHash: before !== undefined && before === after ? before : null };
}

/** undefined when unreadable: loadConfig then reports why, with its precise config_unreadable. */
async function hashFile(path: string): Promise<string | undefined> {
  try {
    return createHash('sha256').update(await readFile(path)).digest('base64url');
  } catch {
    return undefined;
  }
}
