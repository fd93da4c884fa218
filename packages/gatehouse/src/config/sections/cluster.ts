import { DEFAULT_CLUSTER, MIN_FAIL_CLOSED_AFTER_SECONDS } from '../defaults.ts';
import { INVALID, optional, readFields, reader, type Reader } from '../readers.ts';
import type { ClusterConfig } from '../types.ts';
import { duration } from '../values/duration.ts';

/** `cluster: { failClosedAfter }`, optional. */
export const clusterSection: Reader<ClusterConfig> = reader('a mapping with failClosedAfter', (value) => {
  const read = readFields(value, {
    failClosedAfter: optional(duration({ min: MIN_FAIL_CLOSED_AFTER_SECONDS }), DEFAULT_CLUSTER.failClosedAfterSeconds),
  }, clusterSection.expected);
  const fields = read === INVALID ? undefined : read.complete();
  return fields === undefined ? INVALID : { failClosedAfterSeconds: fields.failClosedAfter };
});
