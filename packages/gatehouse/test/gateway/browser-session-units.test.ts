/**
 * The pure parts of browser sessions: the return-path sanitizer (no open redirect), the sealed
 * login cookie (round trip, tamper, wrong key, expiry), page-load detection, the gateway's client
 * and the issuer's redirect-URI matching with RFC 8252 loopback ports.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { redirectUriRegistered } from '../../src/issuer/clients/redirect-uri-match.ts';
import type { RegisteredClient } from '../../src/issuer/clients/client-registry.ts';
import { compileBrowserLogin } from '../../src/gateway/browser-session/browser-login.ts';
import { gatewayClient, GATEWAY_CLIENT_ID } from '../../src/gateway/browser-session/gateway-client.ts';
import { openLoginTransaction, pkceChallenge, sealLoginTransaction, startLoginTransaction } from '../../src/gateway/browser-session/login-transaction.ts';
import { isPageLoad } from '../../src/gateway/browser-session/page-load.ts';
import { safeReturnPath } from '../../src/gateway/browser-session/return-path.ts';
import { sameOrigin } from '../../src/gateway/pipeline/same-origin.ts';
import { createCookieSealer } from '../../src/gateway/browser-session/sealed-cookie.ts';
import { clearCookie, readSessionCookie, setCookie } from '../../src/gateway/browser-session/session-cookies.ts';
import type { RouteConfig } from '../../src/config/index.ts';

describe('safeReturnPath: only a local path, anything else is /', () => {
  it('keeps local paths with their query, percent-encoding what a Location cannot carry', () => {
    assert.equal(safeReturnPath('/'), '/');
    assert.equal(safeReturnPath('/app/settings?tab=keys&x=1'), '/app/settings?tab=keys&x=1');
    assert.equal(safeReturnPath('/a/b/'), '/a/b/');
    assert.equal(safeReturnPath('/caf\u00e9'), '/caf%C3%A9');
    assert.equal(safeReturnPath('/a/../b'), '/b');
  });

  it('refuses every way to another site', () => {
    for (const attempt of [
      'https://evil.example/',
      'http://evil.example',
      '//evil.example/path',
      '/\\evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      '/ /evil.example',
      'javascript:alert(1)',
      'evil.example/path',
      'data:text/html,x',
      '///evil.example',
      '',
      '?x=1',
      '#frag',
      '/x\u0000y',
      // Dot segments resolved into a scheme-relative path (found in review).
      '/..//evil.example/x',
      '/a/../..//evil.example',
      '/%2e%2e/%2e%2e//evil.com',
      '/.//evil.example',
    ]) {
      assert.equal(safeReturnPath(attempt), '/', JSON.stringify(attempt));
    }
  });

  it('refuses the gateway\'s own endpoints, absent values and absurd lengths', () => {
    assert.equal(safeReturnPath('/.gatehouse/session/refresh?return=/x'), '/');
    assert.equal(safeReturnPath('/.gatehouse/callback'), '/');
    assert.equal(safeReturnPath(undefined), '/');
    assert.equal(safeReturnPath(null), '/');
    assert.equal(safeReturnPath(`/${'a'.repeat(5000)}`), '/');
  });
});

describe('the sealed login cookie', () => {
  const key = randomBytes(32);
  const sealer = createCookieSealer(key, 'gatehouse gateway login transaction v1');
  const now = Date.UTC(2030, 0, 1);
  const transaction = startLoginTransaction({ redirectUri: 'https://app.example.com/.gatehouse/callback', returnTo: '/inbox?x=1', audience: 'app', now });

  it('opens to the transaction it sealed; state, nonce and verifier are fresh 256-bit values', () => {
    const sealed = sealLoginTransaction(sealer, transaction);
    assert.match(sealed, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    const opened = openLoginTransaction(sealer, sealed, now + 1000);
    assert.deepEqual(opened, { ok: true, transaction });
    for (const secret of [transaction.state, transaction.nonce, transaction.codeVerifier]) assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(transaction.state, transaction.nonce);
    const again = startLoginTransaction({ redirectUri: transaction.redirectUri, returnTo: '/', audience: 'app', now });
    assert.notEqual(again.state, transaction.state);
    // Nothing of the transaction is readable in the cookie.
    for (const secret of [transaction.state, transaction.nonce, transaction.codeVerifier, 'inbox']) assert.ok(!Buffer.from(sealed.split('.')[2]!, 'base64url').toString('latin1').includes(secret));
  });

  it('refuses a value with any byte altered, cut, or sealed under another key or label', () => {
    const sealed = sealLoginTransaction(sealer, transaction);
    const [version, iv, ciphertext, tag] = sealed.split('.') as [string, string, string, string];
    const flip = (part: string): string => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      return bytes.toString('base64url');
    };
    for (const tampered of [
      [version, flip(iv), ciphertext, tag].join('.'),
      [version, iv, flip(ciphertext), tag].join('.'),
      [version, iv, ciphertext, flip(tag)].join('.'),
      ['v2', iv, ciphertext, tag].join('.'),
      [version, iv, ciphertext].join('.'),
      [version, iv, ciphertext.slice(0, -2), tag].join('.'),
      `${sealed}=`,
      'not a cookie',
      '',
    ]) {
      assert.deepEqual(openLoginTransaction(sealer, tampered, now), { ok: false, reason: 'callback_transaction_invalid' }, tampered);
    }
    assert.deepEqual(openLoginTransaction(createCookieSealer(randomBytes(32), 'gatehouse gateway login transaction v1'), sealed, now), { ok: false, reason: 'callback_transaction_invalid' });
    assert.deepEqual(openLoginTransaction(createCookieSealer(key, 'another purpose'), sealed, now), { ok: false, reason: 'callback_transaction_invalid' });
  });

  it('expires after 10 minutes', () => {
    const sealed = sealLoginTransaction(sealer, transaction);
    assert.equal(openLoginTransaction(sealer, sealed, now + 599_999).ok, true);
    assert.deepEqual(openLoginTransaction(sealer, sealed, now + 600_000), { ok: false, reason: 'callback_transaction_expired' });
  });

  it('a sealed value of another shape does not open as a transaction', () => {
    assert.deepEqual(openLoginTransaction(sealer, sealer.seal({ st: 'x', exp: now + 1000 }), now), { ok: false, reason: 'callback_transaction_invalid' });
  });

  it('PKCE: the S256 challenge of RFC 7636 Appendix B', () => {
    assert.equal(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    assert.equal(pkceChallenge(transaction.codeVerifier), createHash('sha256').update(transaction.codeVerifier).digest('base64url'));
  });
});

describe('isPageLoad', () => {
  const page = (method: string, headers: Record<string, string>, websocket = false) => isPageLoad({ method, headers }, websocket);

  it('a navigation (Sec-Fetch-Mode: navigate), or without Fetch Metadata an Accept naming text/html', () => {
    assert.equal(page('GET', { 'sec-fetch-mode': 'navigate' }), true);
    assert.equal(page('HEAD', { 'sec-fetch-mode': 'navigate' }), true);
    assert.equal(page('GET', { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }), true);
    assert.equal(page('GET', { accept: 'TEXT/HTML' }), true);
  });

  it('not a script, an API client, a POST, a WebSocket handshake or text/html;q=0', () => {
    assert.equal(page('GET', {}), false);
    assert.equal(page('GET', { accept: '*/*' }), false);
    assert.equal(page('GET', { accept: 'application/json' }), false);
    assert.equal(page('GET', { accept: 'text/html;q=0, application/json' }), false);
    // Fetch Metadata wins: a script's fetch asking for HTML is still a script.
    assert.equal(page('GET', { 'sec-fetch-mode': 'cors', accept: 'text/html' }), false);
    assert.equal(page('GET', { 'sec-fetch-mode': 'no-cors', accept: 'text/html' }), false);
    assert.equal(page('POST', { 'sec-fetch-mode': 'navigate', accept: 'text/html' }), false);
    assert.equal(page('GET', { 'sec-fetch-mode': 'navigate' }, true), false);
  });
});

describe('the session cookies', () => {
  it('are set and cleared with exactly the same attributes', () => {
    assert.equal(setCookie('access', 'a.b.c', 299.7), '__Host-gatehouse-access=a.b.c; Path=/; Max-Age=299; HttpOnly; Secure; SameSite=Lax');
    assert.equal(setCookie('refresh', 'r', 604800), '__Secure-gatehouse-refresh=r; Path=/.gatehouse/session; Max-Age=604800; HttpOnly; Secure; SameSite=Strict');
    assert.equal(clearCookie('refresh'), '__Secure-gatehouse-refresh=; Path=/.gatehouse/session; Max-Age=0; HttpOnly; Secure; SameSite=Strict');
    assert.equal(clearCookie('login'), '__Host-gatehouse-login=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax');
  });

  it('are read once: absent, empty (cleared) or sent twice is no value', () => {
    assert.deepEqual(readSessionCookie(undefined, 'refresh'), { kind: 'absent' });
    assert.deepEqual(readSessionCookie('a=1; __Secure-gatehouse-refresh=tok; b=2', 'refresh'), { kind: 'one', value: 'tok' });
    assert.deepEqual(readSessionCookie('__Secure-gatehouse-refresh=', 'refresh'), { kind: 'absent' });
    assert.deepEqual(readSessionCookie('__Secure-gatehouse-refresh=a; __Secure-gatehouse-refresh=b', 'refresh'), { kind: 'repeated' });
    assert.deepEqual(readSessionCookie('x__Secure-gatehouse-refresh=a', 'refresh'), { kind: 'absent' });
  });
});

describe('the gateway client and redirect URI matching', () => {
  const route = (id: string, host: string | null, audience: string, login: 'browser' | null = 'browser'): RouteConfig => ({
    id, match: { host, path: null, methods: null }, upstream: 'http://127.0.0.1:1/', audience, login, allow: [], deny: [], stripHeaders: [], forwardToken: false,
  });

  it('is built from the login routes: their hosts\' callbacks and their audiences; none without login routes', () => {
    const login = compileBrowserLogin([route('app', 'app.example.com', 'app'), route('docs', 'docs.example.com', 'docs'), route('api', 'api.example.com', 'api', null), route('dev', '127.0.0.1', 'app')]);
    assert.deepEqual([...login.audienceByHost], [['app.example.com', 'app'], ['docs.example.com', 'docs'], ['127.0.0.1', 'app']]);
    assert.deepEqual(login.client, {
      id: GATEWAY_CLIENT_ID,
      public: true,
      grants: ['authorization_code', 'refresh_token'],
      scopes: ['openid'],
      audiences: ['app', 'docs'],
      redirectUris: ['https://app.example.com/.gatehouse/callback', 'https://docs.example.com/.gatehouse/callback', 'https://127.0.0.1/.gatehouse/callback'],
      roles: [],
      source: 'builtin',
      loopbackRedirects: true,
    });
    assert.equal(gatewayClient(new Map()), undefined);
    assert.throws(() => compileBrowserLogin([route('any', null, 'app')]), { code: 'config_invalid' });
    assert.throws(() => compileBrowserLogin([route('a', 'app.example.com', 'app'), route('b', 'app.example.com', 'other')]), { code: 'config_invalid' });
  });

  it('exact matching for every client; RFC 8252 §7.3 any port (and http) on loopback for the gateway client only', () => {
    const client = compileBrowserLogin([route('app', 'app.example.com', 'app'), route('dev', '127.0.0.1', 'app'), route('dev6', '[::1]', 'app'), route('local', 'localhost', 'app')]).client!;
    const accepted = [
      'https://app.example.com/.gatehouse/callback',
      'http://127.0.0.1:51234/.gatehouse/callback',
      'https://127.0.0.1:8443/.gatehouse/callback',
      'http://127.0.0.1/.gatehouse/callback',
      'http://[::1]:8080/.gatehouse/callback',
      'http://localhost:3000/.gatehouse/callback',
    ];
    for (const uri of accepted) assert.equal(redirectUriRegistered(client, uri), true, uri);
    const refused = [
      'https://app.example.com:8443/.gatehouse/callback',
      'http://app.example.com/.gatehouse/callback',
      'https://app.example.com/.gatehouse/callback?x=1',
      'https://evil.example/.gatehouse/callback',
      'http://127.0.0.1:51234/.gatehouse/callback/',
      'http://127.0.0.1:51234/other',
      'http://127.0.0.2:51234/.gatehouse/callback',
      'http://user@127.0.0.1:51234/.gatehouse/callback',
      'http://127.0.0.1:51234/.gatehouse/callback#x',
      'http://127.0.0.1:051234/.gatehouse/callback',
      'HTTP://127.0.0.1:5123/.gatehouse/callback',
      'http://127.0.0.1:5123/a/../.gatehouse/callback',
      'ftp://127.0.0.1:21/.gatehouse/callback',
    ];
    for (const uri of refused) assert.equal(redirectUriRegistered(client, uri), false, uri);

    const ordinary: RegisteredClient = { id: 'web', public: true, grants: ['authorization_code'], scopes: [], audiences: [], redirectUris: ['http://127.0.0.1:9/callback'], roles: [], source: 'config' };
    assert.equal(redirectUriRegistered(ordinary, 'http://127.0.0.1:9/callback'), true);
    assert.equal(redirectUriRegistered(ordinary, 'http://127.0.0.1:10/callback'), false);
  });
});

describe('sameOrigin: scheme, host and port', () => {
  const at = (host: string, origin: string | undefined, encrypted = false) => ({ headers: { host, ...(origin === undefined ? {} : { origin }) }, socket: { encrypted } }) as unknown as Parameters<typeof sameOrigin>[0];

  it('a public host is https (behind TLS): an http:// page on it is another origin', () => {
    assert.equal(sameOrigin(at('app.example.com', 'https://app.example.com')), true);
    assert.equal(sameOrigin(at('app.example.com', 'https://app.example.com:443')), true);
    assert.equal(sameOrigin(at('app.example.com', 'http://app.example.com')), false, 'found in review: the scheme was ignored');
    assert.equal(sameOrigin(at('app.example.com', 'https://evil.example.com')), false);
    assert.equal(sameOrigin(at('app.example.com', 'https://app.example.com:8443')), false);
  });

  it('a loopback host has the connection\'s scheme and port', () => {
    assert.equal(sameOrigin(at('localhost:8080', 'http://localhost:8080')), true);
    assert.equal(sameOrigin(at('localhost:8080', 'https://localhost:8080')), false);
    assert.equal(sameOrigin(at('localhost:8080', 'https://localhost:8080', true)), true);
    assert.equal(sameOrigin(at('127.0.0.1:8080', 'http://127.0.0.1:9000')), false);
  });

  it('no Origin, null, or garbage is not same-origin', () => {
    assert.equal(sameOrigin(at('app.example.com', undefined)), false);
    assert.equal(sameOrigin(at('app.example.com', 'null')), false);
    assert.equal(sameOrigin(at('app.example.com', 'not a url')), false);
  });
});
