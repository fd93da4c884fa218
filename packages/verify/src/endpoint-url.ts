import { GatehouseError } from './errors.ts';

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

/**
 * The URL of an endpoint the SDK sends requests to (a token endpoint): https only, except plain
 * http to a loopback address (development and tests); no credentials in it, no fragment (RFC 6749
 * §3.2). checkJwksUrl is this rule for JWKS URLs.
 */
export function checkEndpointUrl(input: string | URL, name: string): string {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new GatehouseError('invalid_option', `${name} ${JSON.stringify(String(input))} is not a valid URL`);
  }
  if (url.username !== '' || url.password !== '') throw new GatehouseError('invalid_option', `${name} must not carry credentials`);
  if (url.hash !== '' || String(input).includes('#')) throw new GatehouseError('invalid_option', `${name} must not have a fragment`);
  if (url.protocol === 'https:') return url.href;
  // WHATWG URL parsing has already normalised IPv4 forms (127.1, 0x7f.1, 2130706433) to dotted quads.
  const loopback = LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(url.hostname);
  if (url.protocol === 'http:' && loopback) return url.href;
  throw new GatehouseError('invalid_option', `${name} ${url.href} must use https (plain http is allowed to loopback addresses only)`);
}
