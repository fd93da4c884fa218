import { OAuthError } from '../oauth-error.ts';
import { SCOPE_TOKEN } from '../../tokens/scope-token.ts';

/** A stored scope string as a list (stored scopes were validated when they were granted). */
export function scopeList(scope: string): string[] {
  return scope.split(' ').filter((token) => token.length > 0);
}

/**
 * The scopes a token may carry: those requested with `scope`, each of which must be among
 * `allowed`, or all of `allowed` when there is no `scope` parameter (RFC 6749 §3.3 lets us pick the
 * default; for a refresh, §6 says it is the scope originally granted). Throws invalid_scope.
 */
export function requestedScopes(scopeParameter: string | undefined, allowed: readonly string[]): string[] {
  if (scopeParameter === undefined) return [...allowed];
  const requested = [...new Set(scopeList(scopeParameter))];
  if (requested.length === 0 || !requested.every((token) => SCOPE_TOKEN.test(token))) throw new OAuthError('invalid_scope', 'the scope parameter is malformed');
  if (!requested.every((token) => allowed.includes(token))) throw new OAuthError('invalid_scope', 'a requested scope is not allowed here');
  return requested;
}

/** The scopes of a grant still allowed to its client: a scope removed from the client's configuration stops at once. */
export function scopesStillAllowed(granted: string, clientScopes: readonly string[]): string[] {
  return scopeList(granted).filter((scope) => clientScopes.includes(scope));
}
