import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REDIRECT_URI, startIssuer, type IssuerHarness } from '../support/issuer-harness.ts';
import { openTransaction } from '../../src/issuer/sign-in/sign-in-transaction.ts';
import { authorizationParameters, authorizeUrl, browserGet, browserPost, clientRedirect, CookieJar, pageErrorCode, pageName } from './sign-in-helpers.ts';

let issuer: IssuerHarness;
before(async () => {
  issuer = await startIssuer();
  // A client the authorization endpoint must refuse: redirect URIs, but not the code grant.
  await issuer.services.store.clients.create({
    id: 'no-code-grant', secretHash: null, public: true, grants: ['refresh_token'], scopes: ['openid'], audiences: ['orders'], redirectUris: [REDIRECT_URI], roles: [], now: Date.now(),
  });
});
after(() => issuer.close());

async function authorize(overrides: Record<string, string | undefined>): Promise<Response> {
  return browserGet(authorizeUrl(issuer, authorizationParameters(overrides).params));
}

/** An error redirected to the client: 303, error code, state and iss (RFC 9207). */
async function assertRedirectedError(response: Response, error: string, state: string | null = 'state-123'): Promise<void> {
  assert.equal(response.status, 303);
  const query = clientRedirect(response);
  assert.ok(query, `expected a redirect to the client, got ${response.headers.get('location')}`);
  assert.equal(query.get('error'), error);
  assert.ok(query.get('error_description'));
  assert.equal(query.get('state'), state);
  assert.equal(query.get('iss'), issuer.url);
  assert.equal(query.get('code'), null);
  assert.equal(response.headers.get('cache-control'), 'no-store');
}

/** An error shown to the person: 400 HTML, never a redirect. */
async function assertErrorPage(response: Response, code: string): Promise<void> {
  assert.equal(response.status, 400);
  assert.equal(response.headers.get('location'), null);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.equal(response.headers.get('x-frame-options'), 'DENY');
  const html = await response.text();
  assert.equal(pageName(html), 'error');
  assert.equal(pageErrorCode(html), code);
}

describe('errors about the client or redirect URI are shown, never redirected', () => {
  test('missing, unknown and repeated client_id', async () => {
    await assertErrorPage(await authorize({ client_id: undefined }), 'invalid_client');
    await assertErrorPage(await authorize({ client_id: 'nobody' }), 'invalid_client');
    const { params } = authorizationParameters();
    await assertErrorPage(await browserGet(`${authorizeUrl(issuer, params)}&client_id=portal`), 'invalid_client');
  });

  test('missing, unregistered, or merely similar redirect_uri', async () => {
    await assertErrorPage(await authorize({ redirect_uri: undefined }), 'invalid_redirect_uri');
    for (const uri of ['https://evil.example/callback', `${REDIRECT_URI}/`, `${REDIRECT_URI}?x=1`, REDIRECT_URI.toUpperCase(), 'http://127.0.0.1:9/callbac', `${REDIRECT_URI}#frag`]) {
      await assertErrorPage(await authorize({ redirect_uri: uri }), 'invalid_redirect_uri');
    }
    const { params } = authorizationParameters();
    await assertErrorPage(await browserGet(`${authorizeUrl(issuer, params)}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`), 'invalid_redirect_uri');
  });

  test('an unknown client with an attacker redirect_uri and another error still gets no redirect', async () => {
    await assertErrorPage(await authorize({ client_id: 'nobody', redirect_uri: 'https://evil.example/', response_type: 'token' }), 'invalid_client');
  });
});

describe('other errors are redirected with error, state and iss', () => {
  test('response_type: only code; implicit and hybrid refused', async () => {
    await assertRedirectedError(await authorize({ response_type: undefined }), 'invalid_request');
    for (const type of ['token', 'id_token', 'code id_token', 'code token', 'id_token token', 'none']) {
      await assertRedirectedError(await authorize({ response_type: type }), 'unsupported_response_type');
    }
  });

  test('PKCE is required, S256 only', async () => {
    await assertRedirectedError(await authorize({ code_challenge: undefined }), 'invalid_request');
    await assertRedirectedError(await authorize({ code_challenge_method: undefined }), 'invalid_request');
    await assertRedirectedError(await authorize({ code_challenge_method: 'plain' }), 'invalid_request');
    await assertRedirectedError(await authorize({ code_challenge_method: 's256' }), 'invalid_request');
    await assertRedirectedError(await authorize({ code_challenge: 'too-short' }), 'invalid_request');
    await assertRedirectedError(await authorize({ code_challenge: `${'a'.repeat(42)}=` }), 'invalid_request');
  });

  test('scope must be within the client scopes', async () => {
    await assertRedirectedError(await authorize({ scope: 'openid admin' }), 'invalid_scope');
    await assertRedirectedError(await authorize({ scope: 'orders:write' }), 'invalid_scope');
  });

  test('resource (RFC 8707) must be one of the client audiences, and one at most', async () => {
    await assertRedirectedError(await authorize({ resource: 'billing' }), 'invalid_target');
    const { params } = authorizationParameters({ resource: 'orders' });
    await assertRedirectedError(await browserGet(`${authorizeUrl(issuer, params)}&resource=app`), 'invalid_target');
  });

  test('request objects are not supported (OpenID Connect Core §3.1.2.6)', async () => {
    await assertRedirectedError(await authorize({ request: 'eyJhbGciOiJub25lIn0.e30.' }), 'request_not_supported');
    await assertRedirectedError(await authorize({ request_uri: 'https://client.example/request.jwt' }), 'request_uri_not_supported');
  });

  test('a client without the authorization_code grant', async () => {
    await assertRedirectedError(await authorize({ client_id: 'no-code-grant', scope: 'openid' }), 'unauthorized_client');
  });

  test('repeated parameters, bad prompt, bad max_age, response_mode other than query', async () => {
    const { params } = authorizationParameters();
    await assertRedirectedError(await browserGet(`${authorizeUrl(issuer, params)}&scope=openid`), 'invalid_request');
    await assertRedirectedError(await authorize({ prompt: 'none login' }), 'invalid_request');
    await assertRedirectedError(await authorize({ prompt: 'sometimes' }), 'invalid_request');
    await assertRedirectedError(await authorize({ max_age: '-1' }), 'invalid_request');
    await assertRedirectedError(await authorize({ max_age: 'soon' }), 'invalid_request');
    await assertRedirectedError(await authorize({ response_mode: 'fragment' }), 'invalid_request');
  });

  test('state is echoed exactly; an absent state is not invented; a malformed one is not echoed', async () => {
    await assertRedirectedError(await authorize({ response_type: 'token', state: 'a b&c=d/e?' }), 'unsupported_response_type', 'a b&c=d/e?');
    await assertRedirectedError(await authorize({ response_type: 'token', state: undefined }), 'unsupported_response_type', null);
    await assertRedirectedError(await authorize({ state: 'x'.repeat(5000) }), 'invalid_request', null);
  });

  test('prompt=none without a session: login_required', async () => {
    await assertRedirectedError(await authorize({ prompt: 'none' }), 'login_required');
  });

  test('the error description is generic, the same for every cause of one code', async () => {
    const descriptions = new Set<string | null>();
    for (const overrides of [{ code_challenge: undefined }, { code_challenge_method: 'plain' }, { max_age: 'x' }]) {
      descriptions.add(clientRedirect(await authorize(overrides))!.get('error_description'));
    }
    assert.equal(descriptions.size, 1);
  });
});

describe('a valid request', () => {
  test('without a session goes to the sign-in page with a MAC-protected transaction', async () => {
    const { params } = authorizationParameters({ resource: 'orders', login_hint: 'alice' });
    const response = await browserGet(authorizeUrl(issuer, params));
    assert.equal(response.status, 303);
    const location = new URL(response.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, issuer.services.urls.signIn);
    const opened = openTransaction(issuer.services, location.searchParams.get('tx'));
    assert.ok(opened.ok);
    assert.deepEqual(opened.request, {
      clientId: 'web', redirectUri: REDIRECT_URI, scope: 'openid orders:read', state: 'state-123', nonce: 'nonce-456',
      codeChallenge: params.code_challenge, audience: 'orders', loginHint: 'alice',
    });
  });

  test('POST with a form body works like GET', async () => {
    const response = await browserPost(issuer.services.urls.authorize, authorizationParameters().params);
    assert.equal(response.status, 303);
    assert.ok(response.headers.get('location')!.startsWith(`${issuer.services.urls.signIn}?tx=`));
  });

  test('without resource: the only audience is used, or none when the client has several', async () => {
    const audienceOf = async (clientId: string) => {
      const response = await authorize({ client_id: clientId, scope: 'openid' });
      const opened = openTransaction(issuer.services, new URL(response.headers.get('location')!).searchParams.get('tx'));
      assert.ok(opened.ok);
      return opened.request.audience;
    };
    assert.equal(await audienceOf('portal'), 'orders');
    assert.equal(await audienceOf('web'), null);
  });

  test('duplicate scopes are folded, unknown parameters ignored, empty values treated as absent', async () => {
    const response = await authorize({ scope: 'openid openid orders:read', display: 'page', nonce: '' });
    const opened = openTransaction(issuer.services, new URL(response.headers.get('location')!).searchParams.get('tx'));
    assert.ok(opened.ok);
    assert.equal(opened.request.scope, 'openid orders:read');
    assert.equal(opened.request.nonce, null);
  });

  test('HEAD is not served (it must not issue codes)', async () => {
    const response = await fetch(authorizeUrl(issuer, authorizationParameters().params), { method: 'HEAD', redirect: 'manual' });
    assert.equal(response.status, 404);
  });

  test('the transaction cannot be altered', async () => {
    const response = await authorize({});
    const tx = new URL(response.headers.get('location')!).searchParams.get('tx')!;
    const [body, mac] = tx.split('.') as [string, string];
    const altered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), r: 'https://evil.example/' })).toString('base64url');
    assert.deepEqual(openTransaction(issuer.services, `${altered}.${mac}`), { ok: false, error: 'transaction_invalid' });
    const page = await browserGet(`${issuer.services.urls.signIn}?tx=${altered}.${mac}`, new CookieJar());
    assert.equal(page.status, 400);
    assert.equal(pageErrorCode(await page.text()), 'transaction_invalid');
  });
});
