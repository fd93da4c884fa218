import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIssuer, TEST_SECRETS, type IssuerHarness } from '../support/issuer-harness.ts';
import { basic, BILLING_BASIC, postForm, readResult, tokenUrl } from './token-helpers.ts';

// Secrets with every character RFC 6749 §2.3.1's form-encoding inside Basic must survive.
const ODD_SECRET = 'odd secret:with+plus%percent&amp=equals/slash-0123456789';

let issuer: IssuerHarness;
before(async () => {
  issuer = await startIssuer({
    extraClients: `
  - id: odd.svc
    secret: "${ODD_SECRET}"
    grants: [client_credentials]
    scopes: [orders:read]
    audiences: [orders]`,
  });
});
after(() => issuer.close());

const CLIENT_CREDENTIALS = { grant_type: 'client_credentials' } as const;

function assertNoStore(headers: Headers): void {
  assert.equal(headers.get('cache-control'), 'no-store');
  assert.equal(headers.get('pragma'), 'no-cache');
}

describe('token endpoint: client authentication', () => {
  it('client_secret_basic authenticates', async () => {
    const result = await postForm(tokenUrl(issuer), CLIENT_CREDENTIALS, { authorization: BILLING_BASIC });
    assert.equal(result.status, 200);
    assert.equal(result.body.token_type, 'Bearer');
  });

  it('client_secret_basic decodes form-urlencoded id and secret (RFC 6749 §2.3.1)', async () => {
    const result = await postForm(tokenUrl(issuer), CLIENT_CREDENTIALS, { authorization: basic('odd.svc', ODD_SECRET) });
    assert.equal(result.status, 200);
  });

  it('client_secret_post authenticates', async () => {
    const result = await postForm(tokenUrl(issuer), { ...CLIENT_CREDENTIALS, client_id: 'billing-svc', client_secret: TEST_SECRETS.billing });
    assert.equal(result.status, 200);
  });

  it('Basic with a client_id in the body naming the same client is accepted', async () => {
    const result = await postForm(tokenUrl(issuer), { ...CLIENT_CREDENTIALS, client_id: 'billing-svc' }, { authorization: BILLING_BASIC });
    assert.equal(result.status, 200);
  });

  it('two methods at once (Basic and client_secret) → invalid_request', async () => {
    const result = await postForm(tokenUrl(issuer), { ...CLIENT_CREDENTIALS, client_id: 'billing-svc', client_secret: TEST_SECRETS.billing }, { authorization: BILLING_BASIC });
    assert.equal(result.status, 400);
    assert.equal(result.body.error, 'invalid_request');
  });

  it('Basic with a different body client_id → invalid_request', async () => {
    const result = await postForm(tokenUrl(issuer), { ...CLIENT_CREDENTIALS, client_id: 'portal' }, { authorization: BILLING_BASIC });
    assert.equal(result.status, 400);
    assert.equal(result.body.error, 'invalid_request');
  });

  it('a wrong secret with Basic → invalid_client 401 with the Basic challenge', async () => {
    for (const authorization of [basic('billing-svc', 'wrong-secret-0123456789abcdefghijklmnop'), basic('no-such-client', TEST_SECRETS.billing), 'Basic !!!', 'Basic ' + Buffer.from('no-colon').toString('base64'), 'Bearer abc']) {
      const result = await postForm(tokenUrl(issuer), CLIENT_CREDENTIALS, { authorization });
      assert.equal(result.status, 401, authorization);
      assert.equal(result.body.error, 'invalid_client');
      assert.equal(result.headers.get('www-authenticate'), 'Basic realm="gatehouse"');
      assertNoStore(result.headers);
    }
  });

  it('a wrong secret in the body → invalid_client 401 without a challenge', async () => {
    const result = await postForm(tokenUrl(issuer), { ...CLIENT_CREDENTIALS, client_id: 'billing-svc', client_secret: 'wrong' });
    assert.equal(result.status, 401);
    assert.equal(result.body.error, 'invalid_client');
    assert.equal(result.headers.get('www-authenticate'), null);
  });

  it('a confidential client that sends only its client_id → invalid_client', async () => {
    const result = await postForm(tokenUrl(issuer), { ...CLIENT_CREDENTIALS, client_id: 'billing-svc' });
    assert.equal(result.status, 401);
    assert.equal(result.body.error, 'invalid_client');
  });

  it('no client at all → invalid_client', async () => {
    const result = await postForm(tokenUrl(issuer), CLIENT_CREDENTIALS);
    assert.equal(result.status, 401);
    assert.equal(result.body.error, 'invalid_client');
  });

  it('an unknown client_id → invalid_client', async () => {
    const result = await postForm(tokenUrl(issuer), { grant_type: 'authorization_code', client_id: 'nobody' });
    assert.equal(result.status, 401);
    assert.equal(result.body.error, 'invalid_client');
  });

  it('a public client that sends a secret → invalid_client', async () => {
    const result = await postForm(tokenUrl(issuer), { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'web', client_secret: 'anything-at-all-0123456789abcdefgh' });
    assert.equal(result.status, 401);
    assert.equal(result.body.error, 'invalid_client');
  });

  it('client_secret without client_id → invalid_request', async () => {
    const result = await postForm(tokenUrl(issuer), { ...CLIENT_CREDENTIALS, client_secret: TEST_SECRETS.billing });
    assert.equal(result.status, 400);
    assert.equal(result.body.error, 'invalid_request');
  });
});

describe('token endpoint: request shape and grant types', () => {
  it('every response is no-store, success and error alike', async () => {
    assertNoStore((await postForm(tokenUrl(issuer), CLIENT_CREDENTIALS, { authorization: BILLING_BASIC })).headers);
    assertNoStore((await postForm(tokenUrl(issuer), { grant_type: 'password' }, { authorization: BILLING_BASIC })).headers);
    const json = await readResult(await fetch(tokenUrl(issuer), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'grant_type=client_credentials' }));
    assertNoStore(json.headers);
  });

  it('only form bodies: JSON or text → invalid_request', async () => {
    for (const [type, body] of [['application/json', JSON.stringify({ grant_type: 'client_credentials' })], ['text/plain', 'grant_type=client_credentials']] as const) {
      const result = await readResult(await fetch(tokenUrl(issuer), { method: 'POST', headers: { 'content-type': type, authorization: BILLING_BASIC }, body }));
      assert.equal(result.status, 400, type);
      assert.equal(result.body.error, 'invalid_request');
    }
  });

  it('a repeated parameter → invalid_request', async () => {
    for (const fields of [{ grant_type: ['client_credentials', 'client_credentials'] }, { grant_type: 'client_credentials', scope: ['orders:read', 'orders:write'] }]) {
      const result = await postForm(tokenUrl(issuer), fields, { authorization: BILLING_BASIC });
      assert.equal(result.status, 400);
      assert.equal(result.body.error, 'invalid_request');
    }
  });

  it('no grant_type → invalid_request', async () => {
    const result = await postForm(tokenUrl(issuer), {}, { authorization: BILLING_BASIC });
    assert.equal(result.status, 400);
    assert.equal(result.body.error, 'invalid_request');
  });

  it('password, implicit and unknown grant types → unsupported_grant_type', async () => {
    for (const grantType of ['password', 'implicit', 'token', 'id_token', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:token-exchange', '__proto__', 'constructor']) {
      const result = await postForm(tokenUrl(issuer), { grant_type: grantType, username: 'alice', password: 'secret' }, { authorization: BILLING_BASIC });
      assert.equal(result.status, 400, grantType);
      assert.equal(result.body.error, 'unsupported_grant_type', grantType);
      assert.deepEqual(Object.keys(result.body).sort(), ['error', 'error_description']);
    }
    const publicClient = await postForm(tokenUrl(issuer), { grant_type: 'password', client_id: 'web', username: 'alice', password: 'secret' });
    assert.equal(publicClient.body.error, 'unsupported_grant_type');
  });

  it('a grant the client is not allowed → unauthorized_client', async () => {
    const code = await postForm(tokenUrl(issuer), { grant_type: 'authorization_code', code: 'x', redirect_uri: 'http://127.0.0.1:9/callback', code_verifier: 'x'.repeat(43) }, { authorization: BILLING_BASIC });
    assert.equal(code.status, 400);
    assert.equal(code.body.error, 'unauthorized_client');
    const publicCredentials = await postForm(tokenUrl(issuer), { ...CLIENT_CREDENTIALS, client_id: 'web' });
    assert.equal(publicCredentials.status, 400);
    assert.equal(publicCredentials.body.error, 'unauthorized_client');
  });

  it('GET is not served', async () => {
    const result = await readResult(await fetch(`${tokenUrl(issuer)}?grant_type=client_credentials`, { headers: { authorization: BILLING_BASIC } }));
    assert.equal(result.status, 404);
  });
});
