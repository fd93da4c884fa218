import type { DecisionFilter } from './types.ts';

export const NO_FILTER: DecisionFilter = Object.freeze({ route: '', sub: '', result: '', reason: '' });

/** The API path of a decisions request: only the filters that are set, then the page. */
export function decisionsQuery(filter: DecisionFilter, page: { readonly after?: number; readonly limit?: number } = {}): string {
  const params = new URLSearchParams();
  for (const name of ['route', 'sub', 'result', 'reason'] as const) {
    const value = filter[name].trim();
    if (value !== '') params.set(name, value);
  }
  if (page.after !== undefined) params.set('after', String(page.after));
  if (page.limit !== undefined) params.set('limit', String(page.limit));
  const query = params.toString();
  return query === '' ? 'decisions' : `decisions?${query}`;
}

/** A filter from the hash route's query (`#/decisions?reason=token_expired`), unknown names ignored. */
export function filterFromParams(params: URLSearchParams): DecisionFilter {
  const result = params.get('result');
  return {
    route: params.get('route') ?? '',
    sub: params.get('sub') ?? '',
    result: result === 'allow' || result === 'deny' ? result : '',
    reason: params.get('reason') ?? '',
  };
}

/**
 * Merges a poll's new lines (newest first) into what is shown: newest first, each seq once,
 * at most `max` lines kept.
 */
export function mergeDecisions<T extends { readonly seq: number }>(shown: readonly T[], incoming: readonly T[], max: number): T[] {
  if (incoming.length === 0) return shown.slice(0, max);
  const seen = new Set(shown.map((line) => line.seq));
  const fresh = incoming.filter((line) => !seen.has(line.seq));
  return [...fresh, ...shown].sort((a, b) => b.seq - a.seq).slice(0, max);
}
