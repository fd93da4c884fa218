import type { KeyRecord } from './key-record.ts';

/**
 * When a key stops signing (`gatehouse keys list`, the console): recorded for retiring, retired
 * and revoked keys; for the active key, when its pending successor activates, or the schedule's
 * answer (`rotateEvery` after it did); none for a pending key. `records` are the keys' states now.
 */
export function keyRetirements(records: readonly KeyRecord[], rotateEverySeconds: number): (record: KeyRecord) => number | undefined {
  const successor = Math.min(...records.filter((record) => record.state === 'pending').map((record) => record.activatesAt));
  return (record) => {
    switch (record.state) {
      case 'active': return Math.min(successor, record.activatesAt + rotateEverySeconds * 1000);
      case 'retiring':
      case 'retired': return record.retiringAt;
      case 'revoked': return record.revokedAt;
      case 'pending': return undefined;
    }
  };
}

/** When the next key takes over from the active one (the active key's retirement); undefined with no active key. */
export function nextRotationAt(records: readonly KeyRecord[], rotateEverySeconds: number): number | undefined {
  const active = records.find((record) => record.state === 'active');
  return active === undefined ? undefined : keyRetirements(records, rotateEverySeconds)(active);
}
