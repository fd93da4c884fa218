import type { ListenAddress } from '../types.ts';
import { normalizeHost } from './host-name.ts';
import { textReader, type Reader } from '../readers.ts';

/** `host:port` with an IPv4 address, a bracketed IPv6 address or a hostname, and a port 0–65535. */
export const listenAddress: Reader<ListenAddress> = textReader('host:port, like 0.0.0.0:8080 or [::]:8080 (port 0–65535)', parseListenAddress);

export function parseListenAddress(text: string): ListenAddress | undefined {
  const colon = text.lastIndexOf(':');
  if (colon === -1) return undefined;
  const hostText = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (!/^(?:0|[1-9]\d{0,4})$/.test(portText) || Number(portText) > 65_535) return undefined;
  const host = normalizeHost(hostText);
  if (host === undefined) return undefined;
  // node:net takes IPv6 hosts without brackets.
  return { host: host.startsWith('[') ? host.slice(1, -1) : host, port: Number(portText) };
}
