import type { PathGlob } from '../types.ts';
import { reader, reject, stringValue, type Reader } from '../readers.ts';

const EXPECTED = 'a path glob starting with /, like /orders/** or /users/*/profile';
/** RFC 3986 pchar without percent-encoding: the gateway matches decoded, normalized paths. */
const LITERAL_SEGMENT = /^[A-Za-z0-9\-._~!$&'()+,;=:@]+$/;

/**
 * Route and condition paths. `*` is exactly one whole segment and `**` any number of whole
 * segments; at most one `**`, so matching stays linear. `.`/`..` and empty segments are refused:
 * requests are matched after normalization, so such a pattern could never match as written.
 */
export const pathGlob: Reader<PathGlob> = reader(EXPECTED, (value) => {
  const text = stringValue(value);
  if (text === undefined) return reject(value, EXPECTED);
  const problem = pathGlobProblem(text);
  return problem === undefined ? text : reject(value, EXPECTED, { hint: problem });
});

export function pathGlobProblem(text: string): string | undefined {
  if (!text.startsWith('/')) return 'it must start with /';
  if (text === '/') return undefined;
  // A trailing slash is a real, distinct path; only the last segment may be empty.
  const segments = text.slice(1).split('/');
  if (segments[segments.length - 1] === '') segments.pop();
  let doubleStars = 0;
  for (const segment of segments) {
    if (segment === '**') doubleStars++;
    else if (segment === '*') continue;
    else if (segment.includes('*')) return `${JSON.stringify(segment)}: * and ** must be a whole segment`;
    else if (segment === '') return 'empty segments (//) never match a normalized path';
    else if (segment === '.' || segment === '..') return '. and .. segments never match a normalized path';
    else if (segment.includes('%')) return 'write the path decoded, without %-escapes';
    else if (!LITERAL_SEGMENT.test(segment)) return `${JSON.stringify(segment)} has characters that are not allowed in a path (? and # start the query and fragment)`;
  }
  if (doubleStars > 1) return 'at most one ** per pattern';
  return undefined;
}
