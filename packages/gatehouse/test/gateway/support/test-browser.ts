/**
 * A browser played by hand for the browser-session tests: node:http (fetch would overwrite
 * Sec-Fetch-Mode with `cors`), no redirect followed, and a cookie jar that keeps what a browser
 * keeps — by name and Path, gone at Max-Age on the test's clock, sent only to matching paths.
 * Cookies are not kept per port (browsers do not either): the issuer's and the gateway's live side
 * by side on 127.0.0.1, as they would.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface BrowserResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Every Set-Cookie line, as sent. */
  readonly setCookies: readonly string[];
  readonly location: string | undefined;
  readonly body: string;
}

export interface BrowserRequest {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Form fields, sent as application/x-www-form-urlencoded. */
  readonly form?: Readonly<Record<string, string>>;
  /** A JSON body, sent as application/json (as a page's fetch() does). */
  readonly json?: unknown;
  /** Send the jar's cookies (default true). */
  readonly cookies?: boolean;
}

interface StoredCookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
  /** Epoch ms on the test clock; undefined for a session cookie. */
  readonly expiresAt: number | undefined;
}

/** A top-level navigation, as every current browser sends it. */
export const NAVIGATE: Readonly<Record<string, string>> = Object.freeze({
  'sec-fetch-mode': 'navigate',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
});

export class TestBrowser {
  readonly #clock: () => number;
  readonly #cookies = new Map<string, StoredCookie>();

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** The value of a live cookie `name` (any path), or undefined. */
  cookie(name: string): string | undefined {
    return this.#live().find((cookie) => cookie.name === name)?.value;
  }

  /** Sets a cookie as a script or an attacker with a cookie-tossing foothold could (Path=/ unless given). */
  plant(name: string, value: string, path = '/'): void {
    this.#cookies.set(`${name};${path}`, { name, value, path, expiresAt: undefined });
  }

  forget(name: string): void {
    for (const [key, cookie] of this.#cookies) if (cookie.name === name) this.#cookies.delete(key);
  }

  /** The Cookie header a browser would send to `path`, or undefined. */
  cookieHeader(path: string): string | undefined {
    const matching = this.#live().filter((cookie) => pathMatches(path, cookie.path)).sort((a, b) => b.path.length - a.path.length);
    return matching.length === 0 ? undefined : matching.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
  }

  async go(url: string, options: BrowserRequest = {}): Promise<BrowserResponse> {
    const target = new URL(url);
    const headers: Record<string, string> = { ...options.headers };
    const cookie = options.cookies === false ? undefined : this.cookieHeader(target.pathname);
    if (cookie !== undefined) headers.cookie = cookie;
    let body: string | undefined;
    if (options.form !== undefined) {
      body = new URLSearchParams(options.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    const response = await new Promise<BrowserResponse>((resolve, reject) => {
      const request = httpRequest(
        { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, agent: false },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () => {
            const location = incoming.headers.location;
            resolve({
              status: incoming.statusCode!,
              headers: incoming.headers,
              setCookies: incoming.headers['set-cookie'] ?? [],
              location: location === undefined ? undefined : new URL(location, target).href,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
    for (const line of response.setCookies) this.#absorb(line);
    return response;
  }

  #absorb(line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let path = '/';
    let expiresAt: number | undefined;
    for (const attribute of attributes) {
      const [key = '', attributeValue = ''] = attribute.split('=');
      if (key.toLowerCase() === 'path') path = attributeValue;
      if (key.toLowerCase() === 'max-age') expiresAt = this.#clock() + Number(attributeValue) * 1000;
    }
    const key = `${name};${path}`;
    if (expiresAt !== undefined && expiresAt <= this.#clock()) this.#cookies.delete(key);
    else this.#cookies.set(key, { name, value, path, expiresAt });
  }

  #live(): StoredCookie[] {
    const now = this.#clock();
    return [...this.#cookies.values()].filter((cookie) => cookie.expiresAt === undefined || cookie.expiresAt > now);
  }
}

/** RFC 6265 §5.1.4. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** The attributes of a Set-Cookie line, lowercased names, in order; the value separately. */
export function parseSetCookie(line: string): { name: string; value: string; attributes: string[] } {
  const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
  const eq = pair.indexOf('=');
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}
