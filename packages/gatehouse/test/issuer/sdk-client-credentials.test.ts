/**
 * The verify SDK's client-credentials token source against the real issuer, end to end: tokens
 * obtained over HTTP with client_secret_basic, verified by the SDK's own verifier against the
 * issuer's JWKS; the issuer's refusals surface as typed TokenRequestErrors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  createClientCredentialsSource,
  createRemoteKeySource,
  createVerifier,
  TokenRequestError,
  type ClientCredentialsOptions,
  type RemoteKeySource,
  type TokenVerifier,
} from '@gatehouse/verify';
import { startIssuer, TEST_SECRETS, type IssuerHarness } from '../support/issuer-harness.ts';

// Every character RFC 6749 §2.3.1's form-encoding exists for: space, ':', '+', '%', '/', non-ASCII.
// (Client ids are letters, digits, '.', '_' and '-' in gatehouse.yaml, so only the secret is awkward.)
const AWKWARD_SECRET = 'sp ace:colon+plus%41/slash&amp=é*~!()-0123456789abcdefghij';

let issuer: IssuerHarness;
let jwks: RemoteKeySource;
let orders: TokenVerifier;

before(async () => {
  issuer = await startIssuer({
    extraClients: `
  - id: awkward.svc
    secret: '${AWKWARD_SECRET}'
    grants: [client_credentials]
    scopes: [orders:read]
    audiences: [orders, stock]`,
  });
  jwks = createRemoteKeySource(issuer.services.urls.jwks);
  orders = createVerifier({ issuers: { issuer: issuer.url, keys: jwks }, audience: 'orders' });
});
after(async () => {
  await jwks?.close();
  await issuer?.close();
});

function billing(options: Partial<ClientCredentialsOptions> = {}) {
  return createClientCredentialsSource({
    tokenEndpoint: issuer.services.urls.token,
    clientId: 'billing-svc',
    clientSecret: TEST_SECRETS.billing,
    resource: 'orders',
    ...options,
  });
}

async function refusal(promise: Promise<unknown>): Promise<TokenRequestError> {
  const error = await promise.then(() => assert.fail('expected a refusal'), (e: unknown) => e);
  assert.ok(error instanceof TokenRequestError, inspect(error));
  return error;
}

describe('SDK client credentials against the issuer', () => {
  it('obtains an access token that the SDK verifier accepts against the issuer\'s JWKS', async () => {
    const tokens = billing({ scope: 'orders:read' });
    try {
      const token = await tokens.token();
      const result = await orders.verify(token);
      assert.ok(result.ok, result.ok ? '' : `${result.reason}: ${result.detail}`);
      assert.equal(result.issuer, issuer.url);
      assert.equal(result.header.typ, 'at+jwt');
      assert.equal(result.claims.sub, 'billing-svc');
      assert.equal(result.claims.client_id, 'billing-svc');
      assert.equal(result.claims.aud, 'orders');
      assert.equal(result.claims.scope, 'orders:read');
      assert.deepEqual(result.claims.roles, ['billing']);
      assert.equal(result.claims.exp - result.claims.iat, 300);

      assert.equal(await tokens.token(), token, 'cached, not requested again');
      assert.equal(await tokens.authorization(), `Bearer ${token}`);
      tokens.invalidate();
      const next = await tokens.token();
      assert.notEqual(next, token);
      assert.ok((await orders.verify(next)).ok);
    } finally {
      await tokens.close();
    }
  });

  it('concurrent callers share one token', async () => {
    const tokens = billing();
    try {
      const all = await Promise.all(Array.from({ length: 10 }, () => tokens.token()));
      assert.equal(new Set(all).size, 1);
    } finally {
      await tokens.close();
    }
  });

  it('form-encodes id and secret before the Basic encoding (RFC 6749 §2.3.1), as the issuer decodes them', async () => {
    const tokens = createClientCredentialsSource({ tokenEndpoint: issuer.services.urls.token, clientId: 'awkward.svc', clientSecret: AWKWARD_SECRET, resource: 'orders' });
    try {
      const result = await orders.verify(await tokens.token());
      assert.ok(result.ok, result.ok ? '' : result.reason);
      assert.equal(result.claims.client_id, 'awkward.svc');
    } finally {
      await tokens.close();
    }
  });

  it('a wrong secret → token_request_failed, 401 invalid_client, and the secret in no part of the error', async () => {
    const wrong = 'not-the-secret-0123456789abcdefghijklmno';
    const error = await refusal(billing({ clientSecret: wrong }).token());
    assert.equal(error.code, 'token_request_failed');
    assert.equal(error.status, 401);
    assert.equal(error.oauthError, 'invalid_client');
    const shown = `${inspect(error, { depth: 10 })} ${error.stack} ${JSON.stringify(error)}`;
    assert.ok(!shown.includes(wrong));
    assert.ok(!shown.includes(TEST_SECRETS.billing));
  });

  it('an audience the client may not ask for → invalid_target; a scope it lacks → invalid_scope', async () => {
    const target = await refusal(billing({ resource: 'stock' }).token());
    assert.deepEqual([target.code, target.status, target.oauthError], ['token_request_failed', 400, 'invalid_target']);
    const scope = await refusal(billing({ scope: 'admin' }).token());
    assert.deepEqual([scope.code, scope.status, scope.oauthError], ['token_request_failed', 400, 'invalid_scope']);
  });

  it('a client without the grant → unauthorized_client', async () => {
    const error = await refusal(createClientCredentialsSource({ tokenEndpoint: issuer.services.urls.token, clientId: 'portal', clientSecret: TEST_SECRETS.portal, resource: 'orders' }).token());
    assert.deepEqual([error.status, error.oauthError], [400, 'unauthorized_client']);
  });

  it('a token for another audience is refused by the SDK verifier (wrong_audience)', async () => {
    const tokens = createClientCredentialsSource({ tokenEndpoint: issuer.services.urls.token, clientId: 'awkward.svc', clientSecret: AWKWARD_SECRET, resource: 'stock' });
    try {
      const result = await orders.verify(await tokens.token());
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.reason, 'wrong_audience');
    } finally {
      await tokens.close();
    }
  });
});
