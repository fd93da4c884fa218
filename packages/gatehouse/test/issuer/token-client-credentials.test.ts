import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startIssuer, TEST_SECRETS, type IssuerHarness } from '../support/issuer-harness.ts';
import { basic, BILLING_BASIC, claimsOf, inProcessVerifier, postForm, tokenUrl } from './token-helpers.ts';

const MULTI_SECRET = 'multi-audience-secret-0123456789abcdefghij';

let issuer: IssuerHarness;
before(async () => {
  issuer = await startIssuer({
    extraClients: `
  - id: multi-svc
    secret: "${MULTI_SECRET}"
    grants: [client_credentials]
    scopes: [orders:read, stock:read]
    audiences: [orders, stock]
    roles: [reporting]`,
  });
});
after(() => issuer.close());

const grant = (fields: Record<string, string | string[]> = {}, authorization = BILLING_BASIC) =>
  postForm(tokenUrl(issuer), { grant_type: 'client_credentials', ...fields }, { authorization });

describe('client_credentials', () => {
  it('issues an RFC 9068 access token that jose verifies through the issuer\'s jwks_uri', async () => {
    const result = await grant();
    assert.equal(result.status, 200);
    const body = result.body;
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 300);
    assert.equal(body.scope, 'orders:read orders:write'); // the default: every scope of the client
    assert.equal(result.headers.get('cache-control'), 'no-store');
    assert.equal(result.headers.get('pragma'), 'no-cache');

    const meta = await (await fetch(`${issuer.url}/.well-known/openid-configuration`)).json() as { jwks_uri: string };
    const { payload, protectedHeader } = await jwtVerify(body.access_token, createRemoteJWKSet(new URL(meta.jwks_uri)), { typ: 'at+jwt', issuer: issuer.url, audience: 'orders' });
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(payload.sub, 'billing-svc');
    assert.equal(payload.client_id, 'billing-svc');
    assert.equal(payload.aud, 'orders');
    assert.equal(payload.scope, 'orders:read orders:write');
    assert.deepEqual(payload.roles, ['billing']);
    assert.equal(typeof payload.jti, 'string');
    assert.equal(payload.sid, undefined);
    assert.equal((payload.exp as number) - (payload.iat as number), 300);

    const verified = inProcessVerifier(issuer, 'orders').verifySync(body.access_token);
    assert.ok(verified.ok);
  });

  it('a narrower scope is honoured', async () => {
    const result = await grant({ scope: 'orders:read' });
    assert.equal(result.status, 200);
    assert.equal(result.body.scope, 'orders:read');
    assert.equal(claimsOf(result.body.access_token).scope, 'orders:read');
  });

  it('a scope the client does not have, or a malformed one → invalid_scope', async () => {
    for (const scope of ['orders:read admin', 'openid', 'orders:read "quoted"', ' ']) {
      const result = await grant({ scope });
      assert.equal(result.status, 400, scope);
      assert.equal(result.body.error, 'invalid_scope', scope);
    }
  });

  it('resource picks one of the client\'s audiences', async () => {
    const result = await grant({ resource: 'stock' }, basic('multi-svc', MULTI_SECRET));
    assert.equal(result.status, 200);
    const claims = claimsOf(result.body.access_token);
    assert.equal(claims.aud, 'stock');
    assert.deepEqual(claims.roles, ['reporting']);
  });

  it('a resource outside the client\'s audiences → invalid_target', async () => {
    const result = await grant({ resource: 'stock' });
    assert.equal(result.status, 400);
    assert.equal(result.body.error, 'invalid_target');
  });

  it('several resources → invalid_target (one audience per token)', async () => {
    const result = await grant({ resource: ['orders', 'stock'] }, basic('multi-svc', MULTI_SECRET));
    assert.equal(result.status, 400);
    assert.equal(result.body.error, 'invalid_target');
  });

  it('no resource with several audiences → invalid_target', async () => {
    const result = await grant({}, basic('multi-svc', MULTI_SECRET));
    assert.equal(result.status, 400);
    assert.equal(result.body.error, 'invalid_target');
  });

  it('never a refresh token or an ID token', async () => {
    const result = await grant({ scope: 'orders:read' });
    assert.equal(result.body.refresh_token, undefined);
    assert.equal(result.body.id_token, undefined);
    assert.equal(decodeProtectedHeader(result.body.access_token).typ, 'at+jwt');
  });

  it('a client without scopes gets a token without a scope claim', async () => {
    const result = await grant({}, basic('resource-server', TEST_SECRETS.resourceServer));
    assert.equal(result.status, 200);
    assert.equal(result.body.scope, undefined);
    assert.equal(claimsOf(result.body.access_token).scope, undefined);
  });
});
