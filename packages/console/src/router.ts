/** Hash routing: `#/decisions?reason=token_expired` → page `decisions` with its query. */
import { useEffect, useState } from 'preact/hooks';

export const PAGES = [
  { id: 'overview', title: 'Overview' },
  { id: 'decisions', title: 'Decisions' },
  { id: 'debugger', title: 'Token debugger' },
  { id: 'sessions', title: 'Sessions' },
  { id: 'keys', title: 'Keys' },
  { id: 'users', title: 'Users' },
  { id: 'clients', title: 'Clients' },
  { id: 'policy', title: 'Policy simulator' },
] as const;

export type PageId = (typeof PAGES)[number]['id'];

export interface Location {
  readonly page: PageId;
  readonly params: URLSearchParams;
}

/** The page a hash names; the overview for an empty or unknown one. */
export function parseHash(hash: string): Location {
  const body = hash.replace(/^#\/?/, '');
  const q = body.indexOf('?');
  const name = q === -1 ? body : body.slice(0, q);
  const params = new URLSearchParams(q === -1 ? '' : body.slice(q + 1));
  const page = PAGES.find((candidate) => candidate.id === name)?.id ?? 'overview';
  return { page, params };
}

export function hrefFor(page: PageId, params?: Readonly<Record<string, string>>): string {
  const query = params === undefined ? '' : new URLSearchParams(params).toString();
  return `#/${page}${query === '' ? '' : `?${query}`}`;
}

export function useHashLocation(): Location {
  const [location, setLocation] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const update = (): void => setLocation(parseHash(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return location;
}
