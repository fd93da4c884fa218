import type { AccessTokenClaims } from '@gatehouse/verify';
import type { PolicyIdentity } from '../../policy/policy-request.ts';
import type { AuthnNote } from './authenticator.ts';

/** How one issuer's claims become a PolicyIdentity; fixed per issuer, built once at load. */
export interface IdentityMapping {
  /** Where the issuer keeps roles: ['roles'] for our own tokens, the trust entry's claim path otherwise. */
  readonly rolesClaim: readonly string[];
  /**
   * Read `scp` when there is no `scope`: external IdPs put scopes there (Okta an array, Entra ID a
   * space-separated string). Off for our own tokens: we mint `scope` only, and `scp` could be a
   * configured attribute claim.
   */
  readonly readScp: boolean;
}

export interface MappedIdentity {
  readonly identity: PolicyIdentity;
  readonly notes: readonly AuthnNote[];
}

const NO_STRINGS: readonly string[] = Object.freeze([]);
const NO_NOTES: readonly AuthnNote[] = Object.freeze([]);

/**
 * The identity policy sees, from a verified token's claims (already deeply frozen by the parser,
 * so they are handed on as they are). Claims are read by own properties only: a member planted on
 * Object.prototype never stands in for one. A roles or `scp` claim of the wrong shape gives no
 * roles or scopes — never a guess — and a note for the audit log.
 */
export function identityFromClaims(claims: AccessTokenClaims, mapping: IdentityMapping): MappedIdentity {
  const notes: AuthnNote[] = [];
  const roles = readRoles(claims, mapping.rolesClaim, notes);
  const scopes = readScopes(claims, mapping.readScp, notes);
  const identity: PolicyIdentity = Object.freeze({ authenticated: true, sub: claims.sub, roles, scopes, claims });
  return { identity, notes: notes.length === 0 ? NO_NOTES : Object.freeze(notes) };
}

function readRoles(claims: AccessTokenClaims, path: readonly string[], notes: AuthnNote[]): readonly string[] {
  let node: unknown = claims;
  for (let i = 0; i < path.length; i++) {
    if (!isClaimsObject(node)) {
      notes.push({ code: 'roles_claim_unusable', detail: `"${path.slice(0, i).join('.')}" is ${describe(node)}, not an object` });
      return NO_STRINGS;
    }
    // An absent claim is no error: that subject simply has no roles.
    if (!Object.hasOwn(node, path[i]!)) return NO_STRINGS;
    node = node[path[i]!];
  }
  const roles = stringList(node);
  if (roles === undefined) {
    notes.push({ code: 'roles_claim_unusable', detail: `"${path.join('.')}" is ${describe(node)}, expected an array of strings or a string` });
    return NO_STRINGS;
  }
  return roles;
}

function readScopes(claims: AccessTokenClaims, readScp: boolean, notes: AuthnNote[]): readonly string[] {
  // The verifier has checked that `scope` is a string (RFC 9068 §2.2.3, RFC 8693 §4.2).
  if (Object.hasOwn(claims, 'scope')) return splitScope(claims.scope as string);
  if (!readScp || !Object.hasOwn(claims, 'scp')) return NO_STRINGS;
  const scp = claims.scp;
  if (typeof scp === 'string') return splitScope(scp);
  const scopes = stringList(scp);
  if (scopes === undefined) {
    notes.push({ code: 'scopes_claim_unusable', detail: `"scp" is ${describe(scp)}, expected an array of strings or a space-separated string` });
    return NO_STRINGS;
  }
  return scopes;
}

/**
 * An array of strings as it is, frozen (the verifier freezes the claims it caches; freezing again
 * is free, and an uncached verifier's claims get it here), a single string as a one-element list;
 * anything else undefined.
 */
function stringList(value: unknown): readonly string[] | undefined {
  if (typeof value === 'string') return Object.freeze([value]);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return Object.freeze(value) as readonly string[];
  return undefined;
}

/** RFC 6749 §3.3: scope tokens separated by single spaces; runs of spaces are tolerated, not empty scopes. */
function splitScope(scope: string): readonly string[] {
  if (scope.length === 0) return NO_STRINGS;
  return Object.freeze(scope.split(' ').filter((token) => token.length > 0));
}

function isClaimsObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The kind of value found, never the value: claims may carry personal data. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array with non-string items';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
