import { formatIp, parseIPv4, parseIPv6 } from '../config/values/ip-address.ts';

/**
 * The key a client address is counted and blocked under: an IPv4 address as it is, and for IPv6
 * the /64 it is in (`2001:db8:1:2::/64`), because one host or site usually holds a whole /64 and
 * could otherwise rotate through it past any limit. IPv4-mapped IPv6 is its IPv4 address; a zone
 * id is dropped; anything that is not an address is its own key. The issuer's sign-in throttle
 * keys addresses with this too (issuer/sign-in/throttle.ts addressKey).
 */
export function clientAddressKey(ip: string): string {
  if (parseIPv4(ip) !== undefined) return ip;
  const zone = ip.indexOf('%');
  const bytes = parseIPv6(zone === -1 ? ip : ip.slice(0, zone));
  if (bytes === undefined) return ip;
  if (isIPv4Mapped(bytes)) return formatIp(bytes.slice(12));
  return `${formatIp([...bytes.slice(0, 8), 0, 0, 0, 0, 0, 0, 0, 0])}/64`;
}

function isIPv4Mapped(bytes: readonly number[]): boolean {
  for (let index = 0; index < 10; index++) if (bytes[index] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}
