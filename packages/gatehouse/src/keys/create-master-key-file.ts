import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { MASTER_KEY_BYTES } from './master-key.ts';

/**
 * Writes a new random master key to `path` with mode 0600 and returns it (for `gatehouse init`).
 * Never overwrites: replacing a master key would make every sealed private key unreadable, so an
 * existing file fails with EEXIST.
 */
export async function createMasterKeyFile(path: string): Promise<KeyObject> {
  const bytes = randomBytes(MASTER_KEY_BYTES);
  try {
    await writeFile(path, `${bytes.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    return createSecretKey(bytes);
  } finally {
    bytes.fill(0);
  }
}
