import { parseIPv4, parseIPv6, formatIp } from './ip-address.ts';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A DNS hostname (RFC 1123 labels), lowercased; undefined when it is not one. */
export function normalizeHostname(text: string): string | undefined {
  const lower = text.toLowerCase();
  if (lower.length === 0 || lower.length > 253) return undefined;
  const labels = lower.split('.');
  if (!labels.every((label) => LABEL.test(label))) return undefined;
  // An all-numeric last label would make `10.0.0.300` a hostname instead of a bad address.
  if (/^\d+$/.test(labels[labels.length - 1]!)) return undefined;
  return lower;
}

/**
 * A host as it appears in a Host header or URL authority: hostname, IPv4, or [IPv6]. Returns the
 * canonical text (brackets kept for IPv6), or undefined.
 */
export function normalizeHost(text: string): string | undefined {
  if (text.startsWith('[') && text.endsWith(']')) {
    const v6 = parseIPv6(text.slice(1, -1));
    return v6 === undefined ? undefined : `[${formatIp(v6)}]`;
  }
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return formatIp(v4);
  return normalizeHostname(text);
}
