import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';

/**
 * Who the request came from and the X-Forwarded-* values we send upstream. By default nothing a
 * client says about this is believed: X-Forwarded-For is the socket's peer alone, -Proto is our
 * listener's scheme, -Host is the request's Host. With trustForwardedFrom (a load balancer in
 * front), a peer in that set may speak for the hop before it: X-Forwarded-For is walked from the
 * right while each hop is trusted, the first untrusted hop is the client, and the chain from that
 * client to the peer is what goes upstream — hops further left are claims nobody we trust made,
 * and are dropped. The trusted peer's X-Forwarded-Proto (http or https) and X-Forwarded-Host
 * (a single value) are kept too.
 */
export interface RequestOrigin {
  readonly clientIp: string;
  readonly forwardedFor: string;
  readonly forwardedProto: 'http' | 'https';
  /** Absent for an HTTP/1.0 request without Host. */
  readonly forwardedHost: string | undefined;
}

/** Builds the trust set once; refuses entries that are not IP addresses or CIDR ranges. */
export function trustedForwarders(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const slash = entry.indexOf('/');
    const address = normalizeAddress(slash === -1 ? entry : entry.slice(0, slash));
    const family = isIP(address);
    const prefixText = slash === -1 ? undefined : entry.slice(slash + 1);
    const bits = family === 6 ? 128 : 32;
    if (family === 0 || (prefixText !== undefined && (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits))) {
      throw new TypeError(`trustForwardedFrom: ${JSON.stringify(entry)} is not an IP address or CIDR range`);
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefixText === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefixText), type);
  }
  return list;
}

/** `::ffff:192.0.2.1` (a dual-stack listener's view of an IPv4 peer) is 192.0.2.1. */
function normalizeAddress(address: string): string {
  return address.length > 7 && address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** node:http joins repeated x- fields into one string; the array form is only in the types. */
function singleValue(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.join(', ');
}

function isTrusted(trusted: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

export function requestOrigin(request: IncomingMessage, trusted: BlockList | null): RequestOrigin {
  const peer = normalizeAddress(request.socket.remoteAddress ?? '');
  const proto = (request.socket as Partial<TLSSocket>).encrypted === true ? 'https' : 'http';
  const host = request.headers.host;
  if (trusted === null || !isTrusted(trusted, peer)) return { clientIp: peer, forwardedFor: peer, forwardedProto: proto, forwardedHost: host };

  const forwarded = singleValue(request.headers['x-forwarded-for']); // node joins repeated fields with ", "
  const hops = forwarded === undefined ? [] : forwarded.split(',');
  const chain = [peer];
  let client = peer;
  for (let index = hops.length - 1; index >= 0 && isTrusted(trusted, client); index--) {
    const hop = normalizeAddress(hops[index]!.trim());
    if (isIP(hop) === 0) break; // garbage (a port, a name, "unknown"): the trusted hop that passed it on is as far as we can see
    chain.unshift(hop);
    client = hop;
  }
  const claimedProto = singleValue(request.headers['x-forwarded-proto']);
  const claimedHost = singleValue(request.headers['x-forwarded-host']);
  return {
    clientIp: client,
    forwardedFor: chain.join(', '),
    forwardedProto: claimedProto === 'https' || claimedProto === 'http' ? claimedProto : proto,
    forwardedHost: claimedHost !== undefined && !claimedHost.includes(',') ? claimedHost : host,
  };
}
