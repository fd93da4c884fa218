import { readFile } from 'node:fs/promises';
import { GatehouseError } from '../errors.ts';
import { LocalKeySet } from '../key-source.ts';
import { parseJsonObject } from '../strict-json.ts';
import { importTrustedKeySet, type ImportKeyOptions } from '../trusted-key.ts';
import type { SkippedKey } from './remote.ts';

export interface LoadKeySetFileOptions extends ImportKeyOptions {
  /** Told about keys left out of the set (wrong use, weak, malformed), so an operator can see them. */
  readonly onSkipped?: (skipped: readonly SkippedKey[]) => void;
}

/**
 * Loads a trusted issuer's JWK Set from a local file (`jwks:` may name one). Errors carry the file
 * path: invalid_option when the file cannot be read, keyset_rejected when it is not a usable JWK
 * Set, key_rejected as raised by import.
 */
export async function loadKeySetFile(path: string, options: LoadKeySetFileOptions = {}): Promise<LocalKeySet> {
  const { onSkipped, ...importOptions } = options;
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new GatehouseError('invalid_option', `${path}: cannot read JWK Set file (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, { cause });
  }
  const parsed = parseJsonObject(bytes);
  if (!parsed.ok) throw new GatehouseError('keyset_rejected', `${path}: JWK Set refused: not a JSON object (${parsed.fault})`);
  try {
    const imported = importTrustedKeySet(parsed.value, importOptions);
    if (imported.skipped.length > 0) onSkipped?.(imported.skipped);
    return new LocalKeySet(imported.keys);
  } catch (error) {
    if (error instanceof GatehouseError) throw new GatehouseError(error.code, `${path}: ${error.message}`, { cause: error });
    throw error;
  }
}
