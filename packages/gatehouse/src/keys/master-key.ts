import { createSecretKey, type KeyObject } from 'node:crypto';
import { open } from 'node:fs/promises';
import { decodeBase64url } from '@gatehouse/verify';
import { ServerError } from '../errors.ts';

export const MASTER_KEY_ENV = 'GATEHOUSE_MASTER_KEY';
export const MASTER_KEY_BYTES = 32;

export interface MasterKeySources {
  /** Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The key file the configuration names, if any. */
  readonly keyFile?: string;
}

export interface LoadedMasterKey {
  /** A 32-byte secret KeyObject: it prints and serialises without its bytes. */
  readonly key: KeyObject;
  /** Where it came from, for the startup log (never the key itself). */
  readonly source: 'env' | 'file';
}

/**
 * Parses the text form of a master key: canonical base64url of exactly 32 bytes. One trailing
 * newline is tolerated because key files and secret mounts usually end with one.
 */
export function parseMasterKey(text: string, where: string): KeyObject {
  const trimmed = text.replace(/\r?\n$/, '');
  const bytes = decodeBase64url(trimmed);
  if (bytes === undefined) throw new ServerError('master_key_invalid', `${where}: the master key is not canonical base64url`);
  if (bytes.length !== MASTER_KEY_BYTES) {
    bytes.fill(0);
    throw new ServerError('master_key_invalid', `${where}: the master key is ${bytes.length} bytes; it must be ${MASTER_KEY_BYTES}`);
  }
  const key = createSecretKey(bytes);
  bytes.fill(0); // createSecretKey copied it; do not leave a second copy on the heap
  return key;
}

/**
 * Loads the master key: GATEHOUSE_MASTER_KEY when set (an environment secret overrides the file
 * a configuration names), else the key file. A key file readable by group or others is refused,
 * as ssh refuses an open private key: its mode must leave those bits clear (0600 or 0400).
 */
export async function loadMasterKey(sources: MasterKeySources = {}): Promise<LoadedMasterKey> {
  const fromEnv = (sources.env ?? process.env)[MASTER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { key: parseMasterKey(fromEnv, MASTER_KEY_ENV), source: 'env' };
  if (sources.keyFile === undefined) {
    throw new ServerError('master_key_missing', `no master key: set ${MASTER_KEY_ENV} or configure a master key file`);
  }
  return { key: parseMasterKey(await readKeyFile(sources.keyFile), sources.keyFile), source: 'file' };
}

async function readKeyFile(path: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ServerError('master_key_missing', `${path}: master key file not found`, { cause });
    throw new ServerError('master_key_invalid', `${path}: master key file unreadable (${code ?? 'error'})`, { cause });
  }
  try {
    // Check the opened file itself, not the path again: no window for a swap between check and read.
    const stats = await handle.stat();
    if (!stats.isFile()) throw new ServerError('master_key_invalid', `${path}: not a regular file`);
    // POSIX permission bits mean nothing on Windows; there the file's ACL is the operator's job.
    if (process.platform !== 'win32' && (stats.mode & 0o077) !== 0) {
      throw new ServerError('master_key_invalid', `${path}: mode ${(stats.mode & 0o777).toString(8)} lets group or others read the master key; chmod 600 it`);
    }
    return await handle.readFile('utf8');
  } catch (cause) {
    if (cause instanceof ServerError) throw cause;
    throw new ServerError('master_key_invalid', `${path}: master key file unreadable`, { cause });
  } finally {
    await handle.close();
  }
}
