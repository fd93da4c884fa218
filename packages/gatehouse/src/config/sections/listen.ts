import { DEFAULT_LISTEN } from '../defaults.ts';
import { optional, readFields, reader, reject, INVALID, type Reader } from '../readers.ts';
import type { ListenAddress, ListenConfig } from '../types.ts';
import { listenAddress } from '../values/listen-address.ts';

const UNSPECIFIED_HOSTS = new Set(['0.0.0.0', '::']);

/** `listen: { gateway, control }`; either may be left out (defaults 0.0.0.0:8080 and 0.0.0.0:4000). */
export const listenSection: Reader<ListenConfig> = reader('a mapping with gateway and control (host:port)', (value) => {
  const read = readFields(value, {
    gateway: optional(listenAddress, DEFAULT_LISTEN.gateway),
    control: optional(listenAddress, DEFAULT_LISTEN.control),
  }, listenSection.expected);
  const fields = read === INVALID ? undefined : read.complete();
  if (read === INVALID || fields === undefined) return INVALID;
  const { gateway, control } = fields;
  if (overlaps(gateway, control)) {
    const at = read.mapping.at('control') ?? read.mapping.at('gateway') ?? value;
    return reject(at, 'an address that does not collide with the other listener', { kind: 'conflict', found: `both listeners on port ${control.port}` });
  }
  return { gateway, control };
});

/** Two binds collide on the same port when the hosts are equal or either is a wildcard. Port 0 never collides. */
function overlaps(a: ListenAddress, b: ListenAddress): boolean {
  if (a.port !== b.port || a.port === 0) return false;
  return a.host === b.host || UNSPECIFIED_HOSTS.has(a.host) || UNSPECIFIED_HOSTS.has(b.host);
}
