import type { AccessTokenClaims } from '@gatehouse/verify';
import type { PolicyIdentity } from '../../policy/index.ts';
import type { AssertedIdentity } from '../assertion/mint-upstream-assertion.ts';

/** The identity headers the gateway injects upstream (after removing any client copy, any case). */
export const IDENTITY_HEADERS = Object.freeze({
  sub: 'X-Gatehouse-Sub',
  clientId: 'X-Gatehouse-Client-Id',
  roles: 'X-Gatehouse-Roles',
  scope: 'X-Gatehouse-Scope',
  assertion: 'X-Gatehouse-Assertion',
});

/** What one verified identity contributes to every forwarded request, computed once per identity. */
export interface ForwardedIdentity {
  /** The identity headers without the assertion (assertion/assertion-cache.ts adds it). */
  readonly headers: Readonly<Record<string, string>>;
  readonly asserted: AssertedIdentity;
}

// Header values are visible ASCII, space and tab: a claim with a line break or non-ASCII text is
// left out of its header rather than sent mangled (the signed assertion carries it as JSON).
const HEADER_SAFE = /^[\t\x20-\x7e]*$/;

/**
 * A verified identity and its token's claims (the cache hands back the same frozen objects for
 * the same token, hence the WeakMap): headers and assertion claims are built once per token.
 */
export function createIdentityForwarding(): (identity: PolicyIdentity, claims: AccessTokenClaims) => ForwardedIdentity {
  const built = new WeakMap<PolicyIdentity, ForwardedIdentity>();
  return (identity, claims) => {
    let forwarded = built.get(identity);
    if (forwarded === undefined) {
      forwarded = forwardedIdentity(identity, claims);
      built.set(identity, forwarded);
    }
    return forwarded;
  };
}

function forwardedIdentity(identity: PolicyIdentity, claims: AccessTokenClaims): ForwardedIdentity {
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : undefined;
  const scope = identity.scopes.join(' ');
  const sid = typeof claims.sid === 'string' ? claims.sid : undefined;
  const headers: Record<string, string> = {};
  const put = (name: string, value: string | undefined): void => {
    if (value !== undefined && HEADER_SAFE.test(value)) headers[name] = value;
  };
  put(IDENTITY_HEADERS.sub, identity.sub);
  put(IDENTITY_HEADERS.clientId, clientId);
  // Roles are joined with commas: a role holding one (an LDAP DN) would read as two, so then the
  // header is left out and upstreams read the roles from the assertion, a JSON array.
  if (!identity.roles.some((role) => role.includes(','))) put(IDENTITY_HEADERS.roles, identity.roles.join(','));
  put(IDENTITY_HEADERS.scope, scope);
  const asserted: AssertedIdentity = {
    sub: identity.sub!,
    ...(clientId === undefined ? {} : { client_id: clientId }),
    ...(scope === '' ? {} : { scope }),
    roles: identity.roles,
    ...(sid === undefined ? {} : { sid }),
    ...(typeof claims.jti === 'string' ? { jti: claims.jti } : {}),
    iss: claims.iss,
    exp: claims.exp,
  };
  return Object.freeze({ headers: Object.freeze(headers), asserted: Object.freeze(asserted) });
}
