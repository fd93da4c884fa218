import { isAbsolute, resolve } from 'node:path';
import { ServerError } from '../errors.ts';

export type StoreDialect = 'sqlite' | 'postgres';

/** Where a store lives, parsed from the `store:` URL of the configuration. */
export type StoreLocation =
  | { readonly dialect: 'sqlite'; readonly filename: string | ':memory:' }
  | { readonly dialect: 'postgres'; readonly connectionString: string };

/**
 * `sqlite:./data/gatehouse.db` (relative to `cwd`), `sqlite:/abs/path.db`, `sqlite::memory:`,
 * or `postgres://user@host:port/db` (also `postgresql://`; query parameters go to `pg`).
 */
export function parseStoreUrl(url: string, cwd: string = process.cwd()): StoreLocation {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === ':memory:') return { dialect: 'sqlite', filename: ':memory:' };
    if (path === '') throw invalidUrl(url, 'a SQLite URL needs a file path, as in sqlite:./data/gatehouse.db');
    return { dialect: 'sqlite', filename: isAbsolute(path) ? resolve(path) : resolve(cwd, path) };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    if (!URL.canParse(url)) throw invalidUrl(url, 'it is not a valid URL');
    return { dialect: 'postgres', connectionString: url };
  }
  throw invalidUrl(url, 'expected sqlite:PATH, sqlite::memory: or postgres://user@host:port/database');
}

/**
 * The URL with any password replaced by `***`, for messages and logs. Works on the text, not on a
 * parsed URL, so that a malformed URL is redacted too; when in doubt it hides too much.
 */
export function redactStoreUrl(url: string): string {
  return url
    // The password runs to the last '@' of the authority; an unencoded '/' in it must not leak.
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@]*@/i, '$1:***@')
    .replace(/([?&]password=)[^&#]*/gi, '$1***');
}

function invalidUrl(url: string, why: string): ServerError {
  return new ServerError('store_url_invalid', `Invalid store URL ${redactStoreUrl(url)}: ${why}.`);
}
