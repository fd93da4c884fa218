import { DEFAULT_LISTEN } from '../defaults.ts';
import { optional, readFields, reader, reject, INVALID, type Reader } from '../readers.ts';
import type { ListenAddress, ListenConfig } from '../types.ts';
import { listenAddress } from '../values/listen-address.ts';

const UNSPECIFIED_HOSTS = new Set(['0.0.0.0', '::']);

/**
 * `listen: { gateway, issuer, control }`; any may be left out (defaults 0.0.0.0:8080, 0.0.0.0:9000
 * and 0.0.0.0:4000). No two may bind the same port.
 */
export const listenSection: Reader<ListenConfig> = reader('a mapping with gateway, issuer and control (host:port)', (value) => {
  const read = readFields(value, {
    gateway: optional(listenAddress, DEFAULT_LISTEN.gateway),
    issuer: optional(listenAddress, DEFAULT_LISTEN.issuer),
    control: optional(listenAddress, DEFAULT_LISTEN.control),
  }, listenSection.expected);
  const fields = read === INVALID ? undefined : read.complete();
  if (read === INVALID || fields === undefined) return INVALID;
  const { gateway, issuer, control } = fields;
  const names = ['gateway', 'issuer', 'control'] as const;
  for (let later = 1; later < names.length; later++) {
    for (let earlier = 0; earlier < later; earlier++) {
      const [a, b] = [names[earlier]!, names[later]!];
      if (!overlaps(fields[a], fields[b])) continue;
      const at = read.mapping.at(b) ?? read.mapping.at(a) ?? value;
      return reject(at, 'an address that does not collide with the other listeners', { kind: 'conflict', found: `${a} and ${b} both on port ${fields[b].port}` });
    }
  }
  return { gateway, issuer, control };
});

/** Two binds collide on the same port when the hosts are equal or either is a wildcard. Port 0 never collides. */
function overlaps(a: ListenAddress, b: ListenAddress): boolean {
  if (a.port !== b.port || a.port === 0) return false;
  return a.host === b.host || UNSPECIFIED_HOSTS.has(a.host) || UNSPECIFIED_HOSTS.has(b.host);
}
