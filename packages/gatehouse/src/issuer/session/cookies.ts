import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The issuer's cookies are all `__Host-` cookies: Secure, Path=/, no Domain, so no sibling host
 * can set or overwrite them (cookie tossing), and HttpOnly + SameSite=Lax, so page scripts cannot
 * read them and cross-site subrequests and POSTs do not carry them.
 *
 * Secure also works in the tests, which run over http://127.0.0.1: browsers treat localhost and
 * loopback addresses as secure contexts and keep Secure cookies there, and the tests use fetch,
 * which keeps no cookie jar at all (they copy Set-Cookie into Cookie by hand).
 */
export type IssuerCookieName = '__Host-gatehouse-session' | '__Host-gatehouse-csrf';

const MAX_COOKIE_HEADER_LENGTH = 16 * 1024;

/** The first value of `name` in the request's Cookie header(s), or undefined. Never throws. */
export function readCookie(request: FastifyRequest, name: IssuerCookieName): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string' || header.length > MAX_COOKIE_HEADER_LENGTH) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    // Our values are base64url and dots only; anything else was not set by us and is ignored.
    const value = pair.slice(eq + 1).trim();
    return /^[A-Za-z0-9_.-]+$/.test(value) ? value : undefined;
  }
  return undefined;
}

/**
 * Adds a Set-Cookie (fastify appends repeated set-cookie headers). Without `maxAgeSeconds` the
 * cookie ends with the browser session; 0 deletes it.
 */
export function setCookie(reply: FastifyReply, name: IssuerCookieName, value: string, maxAgeSeconds?: number): void {
  const attributes = [`${name}=${value}`, 'Path=/', 'Secure', 'HttpOnly', 'SameSite=Lax'];
  if (maxAgeSeconds !== undefined) attributes.push(`Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`);
  reply.header('set-cookie', attributes.join('; '));
}

export function clearCookie(reply: FastifyReply, name: IssuerCookieName): void {
  setCookie(reply, name, '', 0);
}
