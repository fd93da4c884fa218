/**
 * `ip: 10.0.0.0/8` or a list of ranges: the connection's peer address is in one of them. The
 * BlockList is built once, here. node:net's BlockList compares an IPv4-mapped IPv6 address
 * (`::ffff:10.1.2.3`, what a dual-stack socket reports) as the IPv4 address it maps, both ways;
 * the tests pin that. An address that is not an IP leaves the condition unknown.
 */
import { BlockList, isIP } from 'node:net';
import type { IpCondition } from '../../config/types.ts';
import { leafCondition, type CompiledCondition } from '../compiled-condition.ts';

export function compile(condition: IpCondition): CompiledCondition {
  const ranges = new BlockList();
  for (const range of condition.ranges) ranges.addSubnet(range.address, range.prefixLength, range.family);
  const written = condition.ranges.map((range) => `${range.address}/${range.prefixLength}`).join(', ');
  return leafCondition(
    condition,
    ({ ip }) => {
      const family = isIP(ip);
      if (family === 0) return 'ip_invalid';
      return ranges.check(ip, family === 4 ? 'ipv4' : 'ipv6') ? 'ip_in_range' : 'ip_out_of_range';
    },
    ({ ip }, reason) =>
      reason === 'ip_invalid' ? `client address ${JSON.stringify(ip)} is not an IP address` : `client address ${ip} is ${reason === 'ip_in_range' ? 'in' : 'outside'} ${written}`,
  );
}
