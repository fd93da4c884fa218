import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomUUID, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import {
  createRemoteKeySource,
  createVerifier,
  GatehouseError,
  loadKeySetFile,
  type Algorithm,
  type JwksEvent,
  type RemoteKeySource,
  type RemoteKeySourceOptions,
  type TokenVerifier,
  type TrustedIssuer,
} from '../src/index.ts';

const ISSUER = 'https://idp.example.com';
const AUDIENCE = 'orders';
const COOLDOWN_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Local JWKS servers that count requests; the handler can be swapped mid-test.

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface TestServer {
  readonly url: string;
  readonly requests: number;
  handler: Handler;
}

async function startServer(t: TestContext, handler: Handler): Promise<TestServer> {
  let requests = 0;
  const state = {
    handler,
    url: '',
    get requests() {
      return requests;
    },
  };
  const server: Server = createServer((req, res) => {
    requests += 1;
    state.handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return state;
}

function serveJson(value: unknown, status = 200): Handler {
  const body = JSON.stringify(value);
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  };
}

const jwksOf = (...keys: TestKey[]) => ({ keys: keys.map((k) => k.jwk) });

// ---------------------------------------------------------------------------------------------
// Keys and tokens, made with jose (an independent implementation).

interface TestKey {
  readonly kid: string;
  readonly alg: Algorithm;
  readonly jwk: JWK;
  readonly privateKey: CryptoKey | KeyObject;
}

async function makeKey(kid: string, alg: Algorithm = 'ES256'): Promise<TestKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, jwk, privateKey };
}

async function mint(key: TestKey, issuer = ISSUER): Promise<string> {
  return new SignJWT({ client_id: 'billing-svc', scope: 'orders:read' })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(issuer)
    .setSubject('alice')
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .setJti(randomUUID())
    .sign(key.privateKey);
}

/** jose refuses RSA keys under 2048 bits, so tokens for a weak key are signed with node:crypto. */
function mintWithNodeCrypto(kid: string, privateKey: KeyObject): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'RS256', kid, typ: 'at+jwt' })}.${encode({ iss: ISSUER, sub: 'alice', aud: AUDIENCE, iat: now, exp: now + 300, jti: randomUUID(), client_id: 'billing-svc' })}`;
  return `${signingInput}.${cryptoSign('sha256', Buffer.from(signingInput), privateKey).toString('base64url')}`;
}

// ---------------------------------------------------------------------------------------------
// A source wired to an injected clock and an event recorder.

interface Harness {
  readonly source: RemoteKeySource;
  readonly verifier: TokenVerifier;
  readonly events: JwksEvent[];
  readonly clock: { now: number };
  /** fetch() calls made by the source, counted as they start (a server sees a request only later). */
  readonly fetchCalls: () => number;
  eventsOf<T extends JwksEvent['type']>(type: T): Extract<JwksEvent, { type: T }>[];
  /** Resolves once `count` events of `type` have been seen in total. */
  waitFor(type: JwksEvent['type'], count: number): Promise<void>;
}

function harness(t: TestContext, url: string, options: RemoteKeySourceOptions = {}): Harness {
  const clock = { now: 1_700_000_000_000 };
  let fetchCalls = 0;
  const events: JwksEvent[] = [];
  const waiters: { type: JwksEvent['type']; count: number; resolve: () => void }[] = [];
  const eventsOf = <T extends JwksEvent['type']>(type: T) => events.filter((e): e is Extract<JwksEvent, { type: T }> => e.type === type);
  const settle = () => {
    for (const waiter of [...waiters]) {
      if (eventsOf(waiter.type).length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const source = createRemoteKeySource(url, {
    clock: () => clock.now,
    fetch: (input, init) => {
      fetchCalls += 1;
      return globalThis.fetch(input, init);
    },
    onEvent: (event) => {
      events.push(event);
      settle();
    },
    ...options,
  });
  t.after(() => source.close());
  // The verifier runs on real time (jose stamps real iat/exp); only the source's clock is driven.
  const verifier = createVerifier({ issuers: { issuer: ISSUER, keys: source }, audience: AUDIENCE, cache: false });
  return {
    source,
    verifier,
    events,
    clock,
    fetchCalls: () => fetchCalls,
    eventsOf,
    waitFor(type, count) {
      return new Promise((resolve) => {
        waiters.push({ type, count, resolve });
        settle();
      });
    },
  };
}

async function assertReason(verifier: TokenVerifier, token: string, reason: string): Promise<void> {
  const result = await verifier.verify(token);
  assert.equal(result.ok, false, `expected ${reason}, got ok`);
  if (!result.ok) assert.equal(result.reason, reason);
}

async function assertOk(verifier: TokenVerifier, token: string): Promise<void> {
  const result = await verifier.verify(token);
  assert.equal(result.ok, true, result.ok ? '' : `refused: ${result.reason} (${result.detail})`);
}

// ---------------------------------------------------------------------------------------------

describe('remote JWKS: loading', () => {
  test('loads on first use, then verifies; jwks.fetched reports the key count', async (t) => {
    const a = await makeKey('key-a');
    const server = await startServer(t, serveJson(jwksOf(a)));
    const h = harness(t, server.url);
    assert.equal(server.requests, 0, 'building a source does no network I/O');

    await assertOk(h.verifier, await mint(a));
    assert.equal(server.requests, 1);
    const [fetched, ...more] = h.eventsOf('jwks.fetched');
    assert.equal(more.length, 0);
    assert.equal(fetched?.keyCount, 1);
    assert.deepEqual(fetched?.skipped, []);
    assert.equal(fetched?.url, server.url);
    assert.equal(h.source.available, true);
    assert.equal(h.source.fetchedAt, h.clock.now);

    await assertOk(h.verifier, await mint(a));
    assert.equal(server.requests, 1, 'a known kid never fetches');
  });

  test('ready() resolves after a failed first load and never rejects', async (t) => {
    const down = await startServer(t, () => undefined);
    const url = down.url.replace(/:\d+\//, ':1/'); // nothing listens on port 1
    const h = harness(t, url);
    await h.source.ready();
    assert.equal(h.source.available, false);
    assert.equal(h.eventsOf('jwks.fetch_failed')[0]?.code, 'jwks_fetch_failed');
    await h.source.ready(); // still resolved, no second attempt
    assert.equal(h.eventsOf('jwks.fetch_failed').length, 1);
  });

  test('a source that never loaded retries on refresh, subject to the cooldown', async (t) => {
    const a = await makeKey('key-a');
    const server = await startServer(t, serveJson({ error: 'boom' }, 500));
    const h = harness(t, server.url);
    const token = await mint(a);

    await assertReason(h.verifier, token, 'keys_unavailable');
    assert.equal(server.requests, 1);
    assert.equal(await h.source.refresh('key-a'), false, 'inside the cooldown: no fetch');
    assert.equal(server.requests, 1);

    server.handler = serveJson(jwksOf(a));
    h.clock.now += COOLDOWN_MS;
    await assertOk(h.verifier, token);
    assert.equal(server.requests, 2);
  });

  test('refresh resolves true only when a fetch completed successfully', async (t) => {
    const a = await makeKey('key-a');
    const server = await startServer(t, serveJson(jwksOf(a)));
    const h = harness(t, server.url);
    await h.source.ready();
    h.clock.now += COOLDOWN_MS;
    server.handler = serveJson({}, 500);
    assert.equal(await h.source.refresh('other'), false);
    h.clock.now += COOLDOWN_MS;
    server.handler = serveJson(jwksOf(a));
    assert.equal(await h.source.refresh('other'), true);
    assert.equal(server.requests, 3);
  });
});

describe('remote JWKS: unknown kid', () => {
  test('an unknown kid triggers exactly one refetch, then the newly published key verifies', async (t) => {
    const [a, b] = await Promise.all([makeKey('key-a'), makeKey('key-b')]);
    const server = await startServer(t, serveJson(jwksOf(a)));
    const h = harness(t, server.url);
    await h.source.ready();
    assert.equal(server.requests, 1);

    server.handler = serveJson(jwksOf(a, b));
    h.clock.now += COOLDOWN_MS;
    await assertOk(h.verifier, await mint(b));
    assert.equal(server.requests, 2);
    await assertOk(h.verifier, await mint(b));
    await assertOk(h.verifier, await mint(a));
    assert.equal(server.requests, 2);
  });

  test('50 concurrent verifications with an unknown kid share one fetch', async (t) => {
    const [a, b] = await Promise.all([makeKey('key-a'), makeKey('key-b')]);
    const server = await startServer(t, serveJson(jwksOf(a)));
    const h = harness(t, server.url);
    await h.source.ready();
    server.handler = serveJson(jwksOf(a, b));
    h.clock.now += COOLDOWN_MS;

    const tokens = await Promise.all(Array.from({ length: 50 }, () => mint(b)));
    const results = await Promise.all(tokens.map((token) => h.verifier.verify(token)));
    assert.deepEqual(results.map((r) => (r.ok ? 'ok' : r.reason)), tokens.map(() => 'ok'));
    assert.equal(server.requests, 2, 'the first load and one shared refetch');
  });

  test('a second unknown kid inside the cooldown does not fetch; after the cooldown it does', async (t) => {
    const [a, b, c] = await Promise.all([makeKey('key-a'), makeKey('key-b'), makeKey('key-c')]);
    const server = await startServer(t, serveJson(jwksOf(a)));
    const h = harness(t, server.url);
    await h.source.ready();
    server.handler = serveJson(jwksOf(a, b, c));
    h.clock.now += COOLDOWN_MS;
    await assertOk(h.verifier, await mint(b));
    assert.equal(server.requests, 2);

    server.handler = serveJson(jwksOf(a, b, c, await makeKey('key-d')));
    h.clock.now += COOLDOWN_MS - 1;
    const d = await makeKey('key-d-unpublished');
    await assertReason(h.verifier, await mint(d), 'unknown_kid');
    assert.equal(server.requests, 2);
    assert.deepEqual(h.eventsOf('jwks.refresh_throttled').map((e) => e.kid), ['key-d-unpublished']);

    h.clock.now += 1;
    await assertReason(h.verifier, await mint(d), 'unknown_kid');
    assert.equal(server.requests, 3, 'the cooldown has passed: one fetch');
    await assertOk(h.verifier, await mint(c));
    assert.equal(server.requests, 3);
  });
});

describe('remote JWKS: fetch failures', () => {
  test('a server that never answers times out: jwks.fetch_failed, verification says keys_unavailable', async (t) => {
    const a = await makeKey('key-a');
    const server = await startServer(t, () => undefined);
    const h = harness(t, server.url, { timeoutMs: 100 });
    await assertReason(h.verifier, await mint(a), 'keys_unavailable');
    assert.equal(server.requests, 1);
    const failures = h.eventsOf('jwks.fetch_failed');
    assert.equal(failures.length, 1);
    assert.equal(failures[0]?.code, 'jwks_fetch_failed');
    assert.equal(h.eventsOf('jwks.fetched').length, 0);
  });

  const failingServers: Record<string, (t: TestContext, jwks: unknown) => Promise<{ url: string; options?: RemoteKeySourceOptions; check?: () => unknown }>> = {
    'a body over the size limit (Content-Length)': async (t, jwks) => {
      const big = JSON.stringify({ ...(jwks as object), padding: 'x'.repeat(600 * 1024) });
      const server = await startServer(t, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big) });
        res.end(big);
      });
      return { url: server.url };
    },
    // No Content-Length and a stream that never ends: only a limit enforced while reading stops it
    // (the long timeout makes a read-to-the-end implementation hang and fail this test).
    'a chunked body over the size limit that never ends': async (t) => {
      let clientLeft!: () => void;
      const left = new Promise<void>((resolve) => (clientLeft = resolve));
      const server = await startServer(t, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`{"keys":[],"padding":"${'x'.repeat(4096)}`);
        res.on('close', clientLeft);
      });
      // The client hangs up mid-body; with the long timeout, only the size limit can make it.
      return { url: server.url, options: { maxBodyBytes: 1024, timeoutMs: 600_000 }, check: () => left };
    },
    'a body that is not JSON': async (t) => ({ url: (await startServer(t, (_req, res) => res.end('<html>not json</html>'))).url }),
    'a JSON body that is not an object': async (t) => ({ url: (await startServer(t, serveJson([1, 2]))).url }),
    'status 500': async (t, jwks) => ({ url: (await startServer(t, serveJson(jwks, 500))).url }),
    'status 203 with a valid set': async (t, jwks) => ({ url: (await startServer(t, serveJson(jwks, 203))).url }),
    'a redirect (never followed)': async (t, jwks) => {
      const elsewhere = await startServer(t, serveJson(jwks));
      const server = await startServer(t, (_req, res) => {
        res.writeHead(302, { location: elsewhere.url });
        res.end();
      });
      return { url: server.url, check: () => assert.equal(elsewhere.requests, 0) };
    },
  };

  for (const [name, setUp] of Object.entries(failingServers)) {
    test(`${name} → jwks_fetch_failed`, { timeout: 30_000 }, async (t) => {
      const a = await makeKey('key-a');
      const { url, options, check } = await setUp(t, jwksOf(a));
      const h = harness(t, url, options);
      await assertReason(h.verifier, await mint(a), 'keys_unavailable');
      assert.deepEqual(h.eventsOf('jwks.fetch_failed').map((e) => e.code), ['jwks_fetch_failed']);
      assert.equal(h.source.available, false);
      await check?.();
    });
  }

  test('a body of exactly maxBodyBytes is accepted, one byte less is not', async (t) => {
    const a = await makeKey('key-a');
    const body = JSON.stringify(jwksOf(a));
    const server = await startServer(t, (_req, res) => res.end(body)); // chunked: no Content-Length shortcut
    const exact = harness(t, server.url, { maxBodyBytes: Buffer.byteLength(body) });
    await assertOk(exact.verifier, await mint(a));
    const short = harness(t, server.url, { maxBodyBytes: Buffer.byteLength(body) - 1 });
    await assertReason(short.verifier, await mint(a), 'keys_unavailable');
  });

  test('a set refused as a whole (duplicate kid) is a failed fetch; the last good set stays', async (t) => {
    const a = await makeKey('key-a');
    const server = await startServer(t, serveJson(jwksOf(a)));
    const h = harness(t, server.url);
    await h.source.ready();
    server.handler = serveJson({ keys: [a.jwk, a.jwk] });
    h.clock.now += COOLDOWN_MS;
    assert.equal(await h.source.refresh('key-x'), false);
    assert.deepEqual(h.eventsOf('jwks.fetch_failed').map((e) => e.code), ['keyset_rejected']);
    await assertOk(h.verifier, await mint(a));
  });

  test('a throwing onEvent observer does not break loading', async (t) => {
    const a = await makeKey('key-a');
    const server = await startServer(t, serveJson(jwksOf(a)));
    const h = harness(t, server.url, {
      onEvent: () => {
        throw new Error('observer bug');
      },
    });
    await assertOk(h.verifier, await mint(a));
  });
});

describe('remote JWKS: key import', () => {
  test('a 1024-bit RSA key and an invalid EC point are skipped and reported; the good key still verifies', async (t) => {
    const good = await makeKey('good');
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const weakJwk = { ...weak.publicKey.export({ format: 'jwk' }), kid: 'weak-rsa', alg: 'RS256', use: 'sig' };
    const offCurve = await makeKey('bad-ec');
    const y = Buffer.from(offCurve.jwk.y!, 'base64url');
    y[y.length - 1]! ^= 0x01; // same length, canonical base64url, but no longer a point on P-256
    const badEcJwk = { ...offCurve.jwk, y: y.toString('base64url') };

    const server = await startServer(t, serveJson({ keys: [weakJwk, badEcJwk, good.jwk] }));
    const h = harness(t, server.url);
    await assertOk(h.verifier, await mint(good));
    const [fetched] = h.eventsOf('jwks.fetched');
    assert.equal(fetched?.keyCount, 1);
    assert.deepEqual(fetched?.skipped.map((s) => s.kid), ['weak-rsa', 'bad-ec']);
    for (const skipped of fetched?.skipped ?? []) assert.ok(skipped.reason.length > 0);

    h.clock.now += COOLDOWN_MS; // let the unknown kid actually refetch: it must still be unknown
    await assertReason(h.verifier, mintWithNodeCrypto('weak-rsa', weak.privateKey), 'unknown_kid');
    await assertReason(h.verifier, await mint(offCurve), 'unknown_kid');
    await assertOk(h.verifier, await mint(good));
  });

  test('per-issuer import options: algorithms and rsaAlgorithm', async (t) => {
    const es = await makeKey('es');
    const ps = await makeKey('ps', 'PS256');
    const { alg: _omitted, ...psWithoutAlg } = ps.jwk; // some IdPs publish RSA keys without "alg"
    const server = await startServer(t, serveJson({ keys: [es.jwk, psWithoutAlg] }));
    const h = harness(t, server.url, { algorithms: ['PS256'], rsaAlgorithm: 'PS256' });
    await assertOk(h.verifier, await mint(ps));
    assert.deepEqual(h.eventsOf('jwks.fetched')[0]?.skipped.map((s) => s.kid), ['es']);
    await assertReason(h.verifier, await mint(es), 'unknown_kid');
  });
});

// Waits on events would hang, not fail, if a fetch never started: the suite timeout turns that into a failure.
describe('remote JWKS: lifetime and grace', { timeout: 30_000 }, () => {
  const LIFETIME = 60_000;
  const GRACE = 120_000;

  test('stale-while-revalidate: old keys serve while one refetch runs; the new set applies after', async (t) => {
    const [a, b] = await Promise.all([makeKey('key-a'), makeKey('key-b')]);
    const server = await startServer(t, serveJson(jwksOf(a)));
    const h = harness(t, server.url, { cacheLifetimeMs: LIFETIME, gracePeriodMs: GRACE });
    await h.source.ready();

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const rotated = serveJson(jwksOf(b));
    server.handler = (req, res) => void held.then(() => rotated(req, res));

    h.clock.now += LIFETIME;
    const tokenA = await mint(a);
    await assertOk(h.verifier, tokenA);
    assert.equal(h.fetchCalls(), 2, 'the stale read started a background refetch');
    h.clock.now += COOLDOWN_MS;
    await assertOk(h.verifier, tokenA);
    await assertOk(h.verifier, tokenA);
    assert.equal(h.fetchCalls(), 2, 'only one refetch in flight');

    release();
    await h.waitFor('jwks.fetched', 2);
    await assertOk(h.verifier, await mint(b));
    await assertReason(h.verifier, tokenA, 'unknown_kid');
    assert.equal(server.requests, 3, 'key-a, now unknown, refetched once (the cooldown had passed)');
  });

  test('a refetch of an unchanged key keeps the same TrustedKey (verified-token caches stay valid)', async (t) => {
    const a = await makeKey('key-a');
    const server = await startServer(t, serveJson(jwksOf(a)));
    const h = harness(t, server.url, { cacheLifetimeMs: LIFETIME });
    await h.source.ready();
    const before = h.source.getKey('key-a');
    h.clock.now += LIFETIME;
    h.source.getKey('key-a');
    assert.equal(h.fetchCalls(), 2, 'the stale read started a background refetch');
    await h.waitFor('jwks.fetched', 2);
    assert.ok(before !== undefined);
    assert.equal(h.source.getKey('key-a'), before);
  });

  test('after lifetime + grace of failed refetches the keys are dropped: keys_unavailable until a fetch succeeds', async (t) => {
    const a = await makeKey('key-a');
    const server = await startServer(t, serveJson(jwksOf(a)));
    const h = harness(t, server.url, { cacheLifetimeMs: LIFETIME, gracePeriodMs: GRACE });
    await h.source.ready();
    const token = await mint(a);
    server.handler = serveJson({}, 503);

    h.clock.now += LIFETIME;
    await assertOk(h.verifier, token);
    assert.equal(h.fetchCalls(), 2, 'the stale read started a background refetch');
    await h.waitFor('jwks.fetch_failed', 1);
    await assertOk(h.verifier, token);
    assert.equal(server.requests, 2, 'failed background refetches respect the cooldown');

    h.clock.now += GRACE - 1;
    await assertOk(h.verifier, token);
    assert.equal(h.fetchCalls(), 3);
    await h.waitFor('jwks.fetch_failed', 2);
    assert.equal(h.eventsOf('jwks.expired').length, 0);

    h.clock.now += 1;
    await assertReason(h.verifier, token, 'keys_unavailable');
    assert.equal(h.source.available, false);
    assert.equal(h.source.getKey('key-a'), undefined);
    assert.equal(h.eventsOf('jwks.expired').length, 1);

    server.handler = serveJson(jwksOf(a));
    await assertReason(h.verifier, token, 'keys_unavailable'); // inside the cooldown of the last attempt
    h.clock.now += COOLDOWN_MS;
    await assertOk(h.verifier, token);
    assert.equal(h.source.available, true);
  });
});

describe('remote JWKS: hardening', () => {
  test('a refetched set with no usable signature key keeps the last good set (and says so)', async (t) => {
    const a = await makeKey('key-a');
    const server = await startServer(t, serveJson(jwksOf(a)));
    const h = harness(t, server.url, { cacheLifetimeMs: 60_000 });
    await h.source.ready();
    server.handler = serveJson({ keys: [{ ...a.jwk, use: 'enc' }] });
    h.clock.now += 60_000;
    h.source.getKey('key-a');
    await h.waitFor('jwks.fetch_failed', 1);
    assert.equal(h.eventsOf('jwks.fetch_failed')[0]!.code, 'keyset_rejected');
    await assertOk(h.verifier, await mint(a));
  });

  test('a clock that steps backwards makes the set due, not fresh', async (t) => {
    const a = await makeKey('key-a');
    const server = await startServer(t, serveJson(jwksOf(a)));
    const h = harness(t, server.url, { cacheLifetimeMs: 60_000 });
    await h.source.ready();
    assert.equal(h.fetchCalls(), 1);
    h.clock.now -= 86_400_000;
    h.source.getKey('key-a');
    assert.equal(h.fetchCalls(), 2, 'a negative age starts a refetch instead of counting as fresh');
  });
});

describe('remote JWKS: options and lifecycle', () => {
  test('URLs: https anywhere, plain http only to loopback; anything else is invalid_option', () => {
    for (const url of ['https://idp.example.com/jwks', 'http://127.0.0.1:8080/jwks', 'http://127.3.2.1/jwks', 'http://[::1]:9000/jwks', 'http://localhost/jwks']) {
      assert.doesNotThrow(() => createRemoteKeySource(url), url);
    }
    for (const url of ['http://idp.example.com/jwks', 'http://10.0.0.1/jwks', 'http://127.0.0.1.nip.io/jwks', 'http://[::2]/jwks', 'ftp://idp.example.com/jwks', 'file:///etc/jwks.json', 'not a url', 'https://user:pass@idp.example.com/jwks']) {
      assert.throws(() => createRemoteKeySource(url), (e: unknown) => e instanceof GatehouseError && e.code === 'invalid_option', url);
    }
  });

  test('invalid numeric options, HMAC algorithms and non-function hooks are invalid_option', () => {
    const url = 'https://idp.example.com/jwks';
    const bad: RemoteKeySourceOptions[] = [
      { timeoutMs: 0 },
      { maxBodyBytes: -1 },
      { cacheLifetimeMs: Number.NaN },
      { gracePeriodMs: -1 },
      { refreshCooldownMs: Number.POSITIVE_INFINITY },
      { algorithms: ['ES256', 'HS256'] },
      { clock: 5 as unknown as () => number },
    ];
    for (const options of bad) {
      assert.throws(() => createRemoteKeySource(url, options), (e: unknown) => e instanceof GatehouseError && e.code === 'invalid_option', JSON.stringify(options));
    }
  });

  test('close() aborts the fetch in flight quietly and stops further fetches', async (t) => {
    const server = await startServer(t, () => undefined);
    const h = harness(t, server.url);
    const ready = h.source.ready();
    await h.source.close();
    await ready;
    assert.equal(h.eventsOf('jwks.fetch_failed').length, 0);
    h.clock.now += COOLDOWN_MS;
    assert.equal(await h.source.refresh('key-a'), false);
    assert.equal(h.fetchCalls(), 1);
  });
});

test('two trusted issuers at once, each with its own JWKS server and import options', async (t) => {
  const [first, second] = await Promise.all([makeKey('first'), makeKey('second', 'RS256')]);
  const firstServer = await startServer(t, serveJson(jwksOf(first)));
  const secondServer = await startServer(t, serveJson(jwksOf(second)));
  const firstSource = createRemoteKeySource(firstServer.url, { algorithms: ['ES256'] });
  const secondSource = createRemoteKeySource(secondServer.url, { algorithms: ['RS256'] });
  t.after(() => Promise.all([firstSource.close(), secondSource.close()]));
  const issuers: TrustedIssuer[] = [
    { issuer: 'https://first.example.com', keys: firstSource },
    { issuer: 'https://second.example.com', keys: secondSource },
  ];
  const verifier = createVerifier({ issuers, audience: AUDIENCE });

  await assertOk(verifier, await mint(first, 'https://first.example.com'));
  await assertOk(verifier, await mint(second, 'https://second.example.com'));
  // A key of one issuer does not vouch for the other's tokens.
  await assertReason(verifier, await mint(second, 'https://first.example.com'), 'unknown_kid');
  assert.equal(firstServer.requests, 1, 'the unknown kid was inside the first source\'s cooldown');
  assert.equal(secondServer.requests, 1);
});

describe('local JWKS file', () => {
  async function tempDir(t: TestContext): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-jwks-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  test('loads a JWK Set file into a LocalKeySet that verifies; skipped keys are reported', async (t) => {
    const a = await makeKey('key-a');
    const path = join(await tempDir(t), 'jwks.json');
    await writeFile(path, JSON.stringify({ keys: [a.jwk, { ...a.jwk, kid: 'enc', use: 'enc' }] }));
    const skipped: string[] = [];
    const keys = await loadKeySetFile(path, { onSkipped: (list) => skipped.push(...list.map((s) => s.kid ?? '')) });
    assert.deepEqual(skipped, ['enc']);
    const verifier = createVerifier({ issuers: { issuer: ISSUER, keys }, audience: AUDIENCE });
    await assertOk(verifier, await mint(a));
  });

  test('errors carry the file path and a stable code', async (t) => {
    const a = await makeKey('key-a');
    const dir = await tempDir(t);
    const cases: [string, string | undefined, string][] = [
      ['missing.json', undefined, 'invalid_option'],
      ['not-json.json', 'keys: []', 'keyset_rejected'],
      ['no-keys.json', '{"kty":"EC"}', 'keyset_rejected'],
      ['duplicate.json', JSON.stringify({ keys: [a.jwk, a.jwk] }), 'keyset_rejected'],
      ['private.json', JSON.stringify({ keys: [{ ...a.jwk, d: 'AAAA' }] }), 'keyset_rejected'],
    ];
    for (const [name, content, code] of cases) {
      const path = join(dir, name);
      if (content !== undefined) await writeFile(path, content);
      await assert.rejects(loadKeySetFile(path), (e: unknown) => e instanceof GatehouseError && e.code === code && e.message.includes(path), name);
    }
  });
});
