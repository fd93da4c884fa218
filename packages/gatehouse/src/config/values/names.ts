import { listOf, patternString, reader, reject, stringValue, type Reader } from '../readers.ts';

/** Client and route ids: they appear in URLs, logs and metrics labels, so no spaces or quotes. */
export const configId: Reader<string> = patternString(/^[A-Za-z0-9._-]{1,128}$/, 'an id of letters, digits, ., _ and - (at most 128)');

/** A condition's audit id. No brackets, so it can never collide with a generated id like `allow[0]`. */
export const conditionId: Reader<string> = patternString(/^[A-Za-z][A-Za-z0-9._:-]{0,63}$/, 'an id starting with a letter, then letters, digits, ., _, : and - (at most 64)');

/** RFC 6749 §3.3 scope-token: printable ASCII without space, " or \. */
export const scopeToken: Reader<string> = patternString(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'a scope (printable ASCII without spaces, " or \\)');

const claimNames = listOf(patternString(/^.+$/s, 'a claim name'), { min: 1 });

/**
 * A path into the claims: `realm_access.roles`, or a list of names when one contains a dot, as
 * namespaced claims do: `["https://example.com/roles"]`.
 */
export const claimPath: Reader<readonly string[]> = reader('a claim path like realm_access.roles, or a list of claim names', (value) => {
  if (value.node.kind === 'list') return claimNames(value);
  const segments = stringValue(value)?.split('.');
  return segments !== undefined && segments.every((segment) => segment.length > 0) ? segments : reject(value, claimPath.expected);
});
