import { DEFAULT_SIGNING_ALGORITHM, SIGNING_ALGORITHMS } from '../../keys/signing-algorithms.ts';
import { DEFAULT_ROTATE_EVERY_SECONDS, MIN_ROTATE_EVERY_SECONDS } from '../defaults.ts';
import { INVALID, oneOf, optional, readFields, reader, type Reader } from '../readers.ts';
import type { KeysConfig } from '../types.ts';
import { duration } from '../values/duration.ts';
import { filePath } from '../values/file-path.ts';

/** `keys: { algorithm, rotateEvery, masterKeyFile }`, all optional. */
export const keysSection: Reader<KeysConfig> = reader('a mapping with algorithm, rotateEvery and masterKeyFile', (value) => {
  const read = readFields(value, {
    algorithm: optional(oneOf(SIGNING_ALGORITHMS), DEFAULT_SIGNING_ALGORITHM),
    rotateEvery: optional(duration({ min: MIN_ROTATE_EVERY_SECONDS }), DEFAULT_ROTATE_EVERY_SECONDS),
    masterKeyFile: optional(filePath, null),
  }, keysSection.expected);
  const fields = read === INVALID ? undefined : read.complete();
  if (fields === undefined) return INVALID;
  return { algorithm: fields.algorithm, rotateEverySeconds: fields.rotateEvery, masterKeyFile: fields.masterKeyFile };
});
