/**
 * What one verified identity contributes to every forwarded request: the identity headers (left
 * out when a value cannot be carried faithfully) and the claims its assertion carries.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccessTokenClaims } from '@gatehouse/verify';
import { createIdentityForwarding } from '../../src/gateway/pipeline/identity-headers.ts';
import type { PolicyIdentity } from '../../src/policy/index.ts';

const claims = (extra: Record<string, unknown> = {}): AccessTokenClaims =>
  ({ iss: 'https://idp.example.com', sub: 'alice', aud: 'orders', exp: 1_900_000_000, iat: 1_899_999_700, jti: 'j-1', client_id: 'web', ...extra }) as AccessTokenClaims;
const identity = (roles: string[], scopes: string[] = []): PolicyIdentity => ({ authenticated: true, sub: 'alice', roles, scopes, claims: {} });

describe('identity headers', () => {
  it('carry sub, client, roles and scope, and the assertion gets iss, jti and exp', () => {
    const forwarded = createIdentityForwarding()(identity(['admin', 'ops'], ['orders:read']), claims());
    assert.deepEqual(forwarded.headers, { 'X-Gatehouse-Sub': 'alice', 'X-Gatehouse-Client-Id': 'web', 'X-Gatehouse-Roles': 'admin,ops', 'X-Gatehouse-Scope': 'orders:read' });
    assert.equal(forwarded.asserted.iss, 'https://idp.example.com');
    assert.equal(forwarded.asserted.jti, 'j-1');
    assert.equal(forwarded.asserted.exp, 1_900_000_000);
  });

  it('leave X-Gatehouse-Roles out when a role holds a comma (it would read as two); the assertion keeps the array', () => {
    const forwarded = createIdentityForwarding()(identity(['cn=ops,ou=admin', 'staff']), claims());
    assert.equal(forwarded.headers['X-Gatehouse-Roles'], undefined);
    assert.deepEqual(forwarded.asserted.roles, ['cn=ops,ou=admin', 'staff']);
  });

  it('leave a header out rather than send a value with a line break or non-ASCII text', () => {
    const forwarded = createIdentityForwarding()({ ...identity([]), sub: 'al\nice' }, claims({ client_id: 'wéb' }));
    assert.equal(forwarded.headers['X-Gatehouse-Sub'], undefined);
    assert.equal(forwarded.headers['X-Gatehouse-Client-Id'], undefined);
  });
});
