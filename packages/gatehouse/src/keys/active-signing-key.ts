import { ServerError } from '../errors.ts';
import { keyStatesAt } from './advance-keys.ts';
import type { KeyRecord } from './key-record.ts';

/** The one key that signs at `now`. Throws no_signing_key when there is none (or, in damaged data, several). */
export function activeSigningKey(records: readonly KeyRecord[], now: number): KeyRecord {
  const active = keyStatesAt(records, now).filter((record) => record.state === 'active');
  if (active.length !== 1) {
    throw new ServerError('no_signing_key', active.length === 0 ? 'there is no active signing key' : `${active.length} keys are active; exactly one must be`);
  }
  return active[0]!;
}
