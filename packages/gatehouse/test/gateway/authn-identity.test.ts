/**
 * From verified claims to the PolicyIdentity policy sees: roles from our `roles` claim or a
 * trusted issuer's claim path (own properties only), scopes from `scope` or an external IdP's
 * `scp`, and a note — never a guess — when a claim has the wrong shape.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJsonObject, type AccessTokenClaims } from '@gatehouse/verify';
import { identityFromClaims, type IdentityMapping } from '../../src/gateway/authn/index.ts';

const OWN: IdentityMapping = { rolesClaim: ['roles'], readScp: false };
const KEYCLOAK: IdentityMapping = { rolesClaim: ['realm_access', 'roles'], readScp: true };

/** Claims as the verifier hands them over: parsed strictly and deeply frozen. */
function claims(members: Record<string, unknown>): AccessTokenClaims {
  return parsedClaims(JSON.stringify({ iss: 'https://idp.test', sub: 'alice', aud: 'orders', exp: 2, iat: 1, ...members }));
}

function parsedClaims(json: string): AccessTokenClaims {
  const parsed = parseJsonObject(Buffer.from(json));
  if (!parsed.ok) throw new Error(`test claims do not parse: ${parsed.fault}`);
  return parsed.value as unknown as AccessTokenClaims;
}

describe('identity from our own tokens', () => {
  it('sub, roles from `roles`, scopes split from `scope`, the claims object itself', () => {
    const verified = claims({ roles: ['admin', 'billing'], scope: 'openid orders:read' });
    const { identity, notes } = identityFromClaims(verified, OWN);
    assert.deepEqual(identity, { authenticated: true, sub: 'alice', roles: ['admin', 'billing'], scopes: ['openid', 'orders:read'], claims: verified });
    assert.equal(identity.claims, verified);
    assert.deepEqual(notes, []);
  });

  it('the identity and its lists are frozen', () => {
    const { identity } = identityFromClaims(claims({ roles: ['admin'], scope: 'a b' }), OWN);
    assert.equal(Object.isFrozen(identity), true);
    assert.equal(Object.isFrozen(identity.roles), true);
    assert.equal(Object.isFrozen(identity.scopes), true);
  });

  it('no roles and no scope: empty lists', () => {
    const { identity, notes } = identityFromClaims(claims({}), OWN);
    assert.deepEqual([identity.roles, identity.scopes, notes], [[], [], []]);
  });

  it('`scp` is not read for our tokens (we mint `scope`; `scp` could be a configured attribute)', () => {
    assert.deepEqual(identityFromClaims(claims({ scp: ['admin:all'] }), OWN).identity.scopes, []);
  });

  it('an empty `scope` and runs of spaces give no empty scopes', () => {
    assert.deepEqual(identityFromClaims(claims({ scope: '' }), OWN).identity.scopes, []);
    assert.deepEqual(identityFromClaims(claims({ scope: 'a  b ' }), OWN).identity.scopes, ['a', 'b']);
  });
});

describe('identity from a trusted issuer: roles at its claim path', () => {
  it('an array of strings at realm_access.roles', () => {
    const { identity, notes } = identityFromClaims(claims({ realm_access: { roles: ['admin', 'ops'] } }), KEYCLOAK);
    assert.deepEqual(identity.roles, ['admin', 'ops']);
    assert.deepEqual(notes, []);
  });

  it('a single string is one role', () => {
    assert.deepEqual(identityFromClaims(claims({ realm_access: { roles: 'admin' } }), KEYCLOAK).identity.roles, ['admin']);
  });

  it('a claim name with dots, given as a one-segment path (a list in the configuration)', () => {
    const mapping: IdentityMapping = { rolesClaim: ['https://example.com/roles'], readScp: true };
    assert.deepEqual(identityFromClaims(claims({ 'https://example.com/roles': ['auditor'] }), mapping).identity.roles, ['auditor']);
  });

  it('absent at any depth: no roles and no note (that subject has none)', () => {
    for (const members of [{}, { realm_access: {} }]) {
      const { identity, notes } = identityFromClaims(claims(members), KEYCLOAK);
      assert.deepEqual([identity.roles, notes], [[], []]);
    }
  });

  const unusable: Record<string, Record<string, unknown>> = {
    'a number': { realm_access: { roles: 42 } },
    'an object': { realm_access: { roles: { admin: true } } },
    'null': { realm_access: { roles: null } },
    'an array with a non-string': { realm_access: { roles: ['admin', 7] } },
    'a nested array': { realm_access: { roles: [['admin']] } },
    'a string where the path needs an object': { realm_access: 'admin' },
    'an array where the path needs an object': { realm_access: [{ roles: ['admin'] }] },
  };
  for (const [what, members] of Object.entries(unusable)) {
    it(`${what}: no roles at all, and a roles_claim_unusable note`, () => {
      const { identity, notes } = identityFromClaims(claims(members), KEYCLOAK);
      assert.deepEqual(identity.roles, []);
      assert.deepEqual(notes.map((note) => note.code), ['roles_claim_unusable']);
    });
  }

  it('the note names the kind of value, never the value (claims may carry personal data)', () => {
    const { notes } = identityFromClaims(claims({ realm_access: { roles: { email: 'alice@example.com' } } }), KEYCLOAK);
    assert.doesNotMatch(notes[0]!.detail, /alice@example\.com/);
  });

  it('inherited members are never read: only own properties of the claims', () => {
    const inherited = Object.freeze(Object.assign(Object.create({ realm_access: { roles: ['admin'] } }) as object, claims({})));
    assert.deepEqual(identityFromClaims(inherited as AccessTokenClaims, KEYCLOAK).identity.roles, []);
  });

  it('a `__proto__` member in the JSON is an ordinary own claim, and a path through it reads only that claim', () => {
    const value = parsedClaims('{"iss":"i","sub":"s","aud":"a","exp":2,"iat":1,"__proto__":{"roles":["admin"]}}');
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(identityFromClaims(value, { rolesClaim: ['__proto__', 'roles'], readScp: true }).identity.roles, ['admin']);
    assert.deepEqual(identityFromClaims(value, { rolesClaim: ['roles'], readScp: true }).identity.roles, []);
  });
});

describe('identity from a trusted issuer: scopes', () => {
  it('`scope` (RFC 9068, Keycloak, Auth0) is split on spaces', () => {
    assert.deepEqual(identityFromClaims(claims({ scope: 'openid orders:read' }), KEYCLOAK).identity.scopes, ['openid', 'orders:read']);
  });

  it('`scp` as an array (Okta)', () => {
    assert.deepEqual(identityFromClaims(claims({ scp: ['orders:read', 'orders:write'] }), KEYCLOAK).identity.scopes, ['orders:read', 'orders:write']);
  });

  it('`scp` as a space-separated string (Entra ID)', () => {
    assert.deepEqual(identityFromClaims(claims({ scp: 'Orders.Read Orders.Write' }), KEYCLOAK).identity.scopes, ['Orders.Read', 'Orders.Write']);
  });

  it('`scope` wins when both are present; they are not merged', () => {
    assert.deepEqual(identityFromClaims(claims({ scope: 'a', scp: ['b'] }), KEYCLOAK).identity.scopes, ['a']);
  });

  for (const [what, scp] of [['a number', 1], ['an array with a non-string', ['a', 2]], ['an object', { a: true }]] as const) {
    it(`\`scp\` as ${what}: no scopes, and a scopes_claim_unusable note`, () => {
      const { identity, notes } = identityFromClaims(claims({ scp }), KEYCLOAK);
      assert.deepEqual(identity.scopes, []);
      assert.deepEqual(notes.map((note) => note.code), ['scopes_claim_unusable']);
    });
  }

  it('both claims unusable: two notes', () => {
    const { notes } = identityFromClaims(claims({ scp: 1, realm_access: { roles: 1 } }), KEYCLOAK);
    assert.deepEqual(notes.map((note) => note.code), ['roles_claim_unusable', 'scopes_claim_unusable']);
  });
});
