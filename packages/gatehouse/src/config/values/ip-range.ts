import type { IpRange } from '../types.ts';
import { formatIp, parseIPv4, parseIPv6, type IpBytes } from './ip-address.ts';
import { reader, reject, stringValue, type Reader } from '../readers.ts';

const EXPECTED = 'an IPv4 or IPv6 address or CIDR range, like 10.0.0.0/8 or 2001:db8::/32';

/**
 * A CIDR range (or a single address, which is a /32 or /128). Host bits must be zero: `10.0.0.5/8`
 * is refused with the range it probably meant, because the writer may have meant the host alone.
 */
export const ipRange: Reader<IpRange> = reader(EXPECTED, (value) => {
  const text = stringValue(value);
  if (text === undefined) return reject(value, EXPECTED);
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  const v4 = parseIPv4(addressText);
  const bytes = v4 ?? parseIPv6(addressText);
  if (bytes === undefined) return reject(value, EXPECTED, { hint: `${JSON.stringify(addressText)} is not an IP address` });
  const family = v4 === undefined ? 'ipv6' : 'ipv4';
  const bits = bytes.length * 8;
  if (prefixText !== undefined && !/^(?:0|[1-9]\d{0,2})$/.test(prefixText)) return reject(value, EXPECTED, { hint: `the prefix length must be a number from 0 to ${bits}` });
  const prefixLength = prefixText === undefined ? bits : Number(prefixText);
  if (prefixLength > bits) return reject(value, EXPECTED, { hint: `an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} prefix length is at most ${bits}` });
  const network = maskTo(bytes, prefixLength);
  if (network.some((byte, index) => byte !== bytes[index])) {
    return reject(value, `${EXPECTED}, with no bits set after the prefix`, { hint: `did you mean ${formatIp(network)}/${prefixLength}?` });
  }
  return { family, address: formatIp(bytes), prefixLength };
});

function maskTo(bytes: IpBytes, prefixLength: number): number[] {
  return bytes.map((byte, index) => {
    const keep = Math.min(8, Math.max(0, prefixLength - index * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
}
