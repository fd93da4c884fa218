/**
 * The one path-glob matcher: route matching and the policy `path` condition both use it.
 *
 * A glob (validated at load, see PathGlob in config/types.ts) is split once into literal segments
 * and `*` tokens around at most one `**`. Matching walks the request path with indexOf, left to
 * right for the part before `**` and right to left for the part after it: linear in the path, no
 * RegExp, no allocation. The path must be normalized first (normalizeRequestTarget): no empty
 * segment except a trailing one, no dot segments, no percent-escapes of unreserved characters.
 *
 * Semantics: a literal matches the segment exactly (case-sensitive); `*` matches exactly one
 * non-empty segment; `**` matches any number of segments, zero included, and so also a trailing
 * slash (`/a/**` matches `/a`, `/a/`, `/a/b/c/`). A trailing slash is an empty last segment:
 * `/a/` matches only `/a/`, `/a/*` does not match `/a/` nor `/a/b/`.
 */
import type { PathGlob } from '../../config/types.ts';

/** A glob segment: its literal text, or STAR for `*`. */
type Token = string | typeof STAR;
const STAR = null;
const SLASH = 0x2f;

export interface CompiledPathGlob {
  readonly glob: PathGlob;
  /** True when the normalized request path matches. */
  matches(path: string): boolean;
  /** Segments before `**` (all of them when there is none). */
  readonly head: readonly Token[];
  /** Segments after `**`; null when the glob has no `**` and so matches one path length only. */
  readonly tail: readonly Token[] | null;
}

export function compilePathGlob(glob: PathGlob): CompiledPathGlob {
  // '/' is one empty segment, like the request path '/'; '/a/' is ['a', ''].
  const segments: Token[] = glob.slice(1).split('/').map((segment) => (segment === '*' ? STAR : segment));
  const doubleStar = segments.indexOf('**');
  const head = doubleStar === -1 ? segments : segments.slice(0, doubleStar);
  const tail = doubleStar === -1 ? null : segments.slice(doubleStar + 1);
  const minimum = head.length + (tail?.length ?? 0);
  return {
    glob,
    head,
    tail,
    matches(path: string): boolean {
      const count = segmentCount(path);
      if (tail === null ? count !== minimum : count < minimum) return false;
      let start = 1;
      for (const token of head) {
        let end = path.indexOf('/', start);
        if (end === -1) end = path.length;
        if (!segmentMatches(token, path, start, end)) return false;
        start = end + 1;
      }
      if (tail === null) return true;
      // The count check keeps the tail's segments clear of the head's.
      let end = path.length;
      for (let index = tail.length - 1; index >= 0; index--) {
        const segmentStart = path.lastIndexOf('/', end - 1) + 1;
        if (!segmentMatches(tail[index]!, path, segmentStart, end)) return false;
        end = segmentStart - 1;
      }
      return true;
    },
  };
}

/** A request path has one segment per slash: '/' has one (empty), '/a/b' two, '/a/' two. */
function segmentCount(path: string): number {
  let count = 0;
  for (let index = 0; index < path.length; index++) if (path.charCodeAt(index) === SLASH) count++;
  return count;
}

function segmentMatches(token: Token, path: string, start: number, end: number): boolean {
  if (token === STAR) return end > start;
  return end - start === token.length && path.startsWith(token, start);
}

/**
 * How specific a glob is, compared left to right, larger first: the number of literal segments
 * before the first `*` or `**` (the longest literal prefix); then a glob without `**` (it matches
 * one path length) over one with it; then the number of literal segments overall.
 */
export function pathSpecificity(glob: CompiledPathGlob): readonly [number, number, number] {
  const firstStar = glob.head.indexOf(STAR);
  const literalPrefix = firstStar === -1 ? glob.head.length : firstStar;
  const literals = [...glob.head, ...(glob.tail ?? [])].filter((token) => token !== STAR).length;
  return [literalPrefix, glob.tail === null ? 1 : 0, literals];
}

/** True when some normalized path matches both globs (exact, not an approximation). */
export function pathGlobsOverlap(a: CompiledPathGlob, b: CompiledPathGlob): boolean {
  if (a.tail === null && b.tail === null) return a.head.length === b.head.length && compatible(a.head, b.head);
  if (a.tail !== null && b.tail !== null) {
    // Both stretch: a path long enough can give each head and each tail its own segments, so only
    // the positions both heads (and both tails, from the end) constrain must agree.
    return compatible(a.head, b.head) && compatible([...a.tail].reverse(), [...b.tail].reverse());
  }
  const [fixed, stretch] = a.tail === null ? [a.head, b] : [b.head, a];
  const tail = stretch.tail!;
  if (fixed.length < stretch.head.length + tail.length) return false;
  return compatible(fixed.slice(0, stretch.head.length), stretch.head) && compatible(fixed.slice(fixed.length - tail.length), tail);
}

/** Position by position over the shorter list, can one segment satisfy both tokens? */
function compatible(a: readonly Token[], b: readonly Token[]): boolean {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const x = a[index]!;
    const y = b[index]!;
    // `*` never matches the empty (trailing-slash) segment.
    if (x === STAR ? y === '' : y === STAR ? x === '' : x !== y) return false;
  }
  return true;
}
