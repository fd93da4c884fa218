/**
 * The host a request names, in the form route hosts are written at load: lowercase hostname,
 * dotted-quad IPv4, or bracketed canonical IPv6. The port is dropped (routes match hosts, not
 * listeners). Anything else (a missing or empty Host, a bad port, an IPv6 literal without
 * brackets, a trailing dot, a label with `_`) is not a host: the request is refused, so a
 * malformed Host can never fall through to a route that matches any host.
 */
import { normalizeHost } from '../../config/values/host-name.ts';

const PORT = /^:\d{0,5}$/;

export function normalizeRequestHost(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  let host = header;
  let port = '';
  if (header.startsWith('[')) {
    const close = header.indexOf(']');
    if (close === -1) return undefined;
    host = header.slice(0, close + 1);
    port = header.slice(close + 1);
  } else {
    const colon = header.indexOf(':');
    if (colon !== -1) {
      host = header.slice(0, colon);
      port = header.slice(colon);
    }
  }
  if (port !== '' && !PORT.test(port)) return undefined;
  return normalizeHost(host);
}
