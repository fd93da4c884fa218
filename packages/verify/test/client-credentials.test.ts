/**
 * The client-credentials token source against a local node:http token endpoint whose answers a
 * test swaps: request shape (client_secret_basic, form body), caching and refresh timing on an
 * injected clock, single-flight, error mapping, malformed answers, limits. The end-to-end test
 * against the real issuer is packages/gatehouse/test/issuer/sdk-client-credentials.test.ts.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import {
  checkEndpointUrl,
  checkJwksUrl,
  createClientCredentialsSource,
  GatehouseError,
  TokenRequestError,
  type ClientCredentialsOptions,
  type ClientCredentialsSource,
  type ErrorCode,
  type TokenSourceEvent,
} from '../src/index.ts';

const CLIENT_ID = 'billing-svc';
const SECRET = 'billing-secret-0123456789abcdefghijklmnop';

// ---------------------------------------------------------------------------------------------
// A token endpoint that records requests; its handler can be swapped mid-test.

interface SeenRequest {
  readonly method: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface TokenEndpoint {
  readonly url: string;
  readonly requests: SeenRequest[];
  handler: Handler;
}

async function startEndpoint(t: TestContext, handler: Handler): Promise<TokenEndpoint> {
  const state: TokenEndpoint = { url: '', requests: [], handler };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      state.requests.push({ method: req.method ?? '', headers: req.headers, body });
      state.handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (state as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`;
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return state;
}

function json(value: unknown, status = 200, extraHeaders: Record<string, string> = {}): Handler {
  const body = typeof value === 'string' ? value : JSON.stringify(value);
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...extraHeaders });
    res.end(body);
  };
}

/** Answers token-1, token-2, … with the given lifetime (null: no expires_in). */
function issuing(expiresIn: number | null = 300): Handler {
  let issued = 0;
  return (req, res, body) => {
    issued += 1;
    json({ access_token: `token-${issued}`, token_type: 'Bearer', ...(expiresIn === null ? {} : { expires_in: expiresIn }) })(req, res, body);
  };
}

/** Holds every answer until release() is called. */
function gated(inner: Handler): { handler: Handler; release(): void } {
  const held: (() => void)[] = [];
  let open = false;
  return {
    handler: (req, res, body) => (open ? inner(req, res, body) : held.push(() => inner(req, res, body))),
    release() {
      open = true;
      for (const answer of held.splice(0)) answer();
    },
  };
}

interface Source {
  readonly source: ClientCredentialsSource;
  readonly clock: { now: number };
  readonly events: TokenSourceEvent[];
}

function source(t: TestContext, endpoint: TokenEndpoint, options: Partial<ClientCredentialsOptions> = {}): Source {
  const clock = { now: 1_000_000 };
  const events: TokenSourceEvent[] = [];
  const created = createClientCredentialsSource({
    tokenEndpoint: endpoint.url,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    clock: () => clock.now,
    onEvent: (event) => events.push(event),
    ...options,
  });
  t.after(() => created.close());
  return { source: created, clock, events };
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, check?: (error: TokenRequestError) => void): Promise<TokenRequestError> {
  let caught: unknown;
  await promise.then(
    () => assert.fail(`expected ${code}, got a token`),
    (error: unknown) => {
      caught = error;
    },
  );
  assert.ok(caught instanceof TokenRequestError, `expected a TokenRequestError, got ${inspect(caught)}`);
  assert.ok(caught instanceof GatehouseError);
  assert.equal(caught.code, code, caught.message);
  check?.(caught);
  return caught;
}

/** Lets a background refresh that was started finish (the server is local: a few event-loop turns). */
async function settled(endpoint: TokenEndpoint, requests: number): Promise<void> {
  for (let i = 0; i < 200 && endpoint.requests.length < requests; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Waits until the source has reported `count` events in total (a background refresh has settled). */
async function eventsReach(h: Source, count: number): Promise<void> {
  for (let i = 0; i < 400 && h.events.length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(h.events.length >= count, `expected ${count} events, saw ${h.events.map((e) => e.type).join(', ')}`);
}

function assertNoSecret(value: unknown): void {
  const text = `${inspect(value, { depth: 10, showHidden: true })} ${JSON.stringify(value)} ${value instanceof Error ? `${value.message} ${value.stack}` : ''}`;
  assert.ok(!text.includes(SECRET), 'the secret leaked');
  assert.ok(!text.includes(Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')), 'the Basic credentials leaked');
}

// ---------------------------------------------------------------------------------------------

describe('client credentials: options', () => {
  const base = { tokenEndpoint: 'https://auth.example.com/oauth2/token', clientId: CLIENT_ID, clientSecret: SECRET };
  const invalid = (options: Partial<ClientCredentialsOptions> & Record<string, unknown>) =>
    assert.throws(() => createClientCredentialsSource({ ...base, ...options } as ClientCredentialsOptions), (error: unknown) => error instanceof GatehouseError && error.code === 'invalid_option');

  test('https only, except plain http to loopback; no credentials, no fragment', () => {
    for (const tokenEndpoint of ['http://auth.example.com/token', 'ftp://127.0.0.1/token', 'https://user:pw@auth.example.com/token', 'https://auth.example.com/token#x', 'https://auth.example.com/token#', 'not a url', 'http://10.0.0.1/token']) {
      invalid({ tokenEndpoint });
    }
    for (const tokenEndpoint of ['https://auth.example.com/token', 'http://127.0.0.1:4000/token', 'http://localhost/token', 'http://[::1]:80/token', 'https://auth.example.com/token?tenant=a']) {
      createClientCredentialsSource({ ...base, tokenEndpoint });
    }
  });

  test('the endpoint rule (checkJwksUrl too) sees through other spellings of loopback and refuses look-alikes', () => {
    const accepted = ['https://a.example/x', 'http://127.0.0.1/x', 'http://127.1/x', 'http://2130706433/x', 'http://0x7f.1/x', 'http://localhost/x', 'http://[::1]/x'];
    const refused = ['http://a.example/x', 'http://[::2]/x', 'http://128.0.0.1/x', 'http://localhost.example.com/x', 'https://u:p@a.example/x', 'ws://127.0.0.1/x', '/relative', 'https://a.example/x#frag'];
    for (const url of accepted) {
      assert.equal(typeof checkEndpointUrl(url, 'url'), 'string', url);
      assert.equal(typeof checkJwksUrl(url), 'string', url);
    }
    for (const url of refused) {
      assert.throws(() => checkEndpointUrl(url, 'url'), (error: unknown) => error instanceof GatehouseError && error.code === 'invalid_option', url);
      assert.throws(() => checkJwksUrl(url), (error: unknown) => error instanceof GatehouseError && error.code === 'invalid_option', url);
    }
  });

  test('client id and secret non-empty; scope tokens valid; numbers in range; functions are functions', () => {
    invalid({ clientId: '' });
    invalid({ clientSecret: '' });
    invalid({ clientSecret: 42 as unknown as string });
    invalid({ scope: [] });
    invalid({ scope: '   ' });
    invalid({ scope: ['orders:read', 'with"quote'] });
    invalid({ scope: ['a b'] });
    invalid({ resource: '' });
    invalid({ resource: 'https://orders.example.com/#frag' });
    invalid({ refreshBeforeSeconds: -1 });
    invalid({ refreshBeforeSeconds: Number.NaN });
    invalid({ timeoutMs: 0 });
    invalid({ maxBodyBytes: Number.POSITIVE_INFINITY });
    invalid({ fetch: 'fetch' as unknown as typeof fetch });
    invalid({ clock: 1 as unknown as () => number });
    createClientCredentialsSource({ ...base, refreshBeforeSeconds: 0, scope: 'orders:read  orders:write' });
  });

  test('the secret is nowhere to be seen on the source', () => {
    assertNoSecret(createClientCredentialsSource(base));
  });
});

describe('client credentials: the request', () => {
  test('POST, client_secret_basic with form-urlencoded id and secret (RFC 6749 §2.3.1), grant_type, scope, resource', async (t) => {
    const endpoint = await startEndpoint(t, issuing());
    const secret = 'a b:c+d%41/é&=*~!\'()-_.';
    const { source: tokens } = source(t, endpoint, { clientId: 'svc:one two', clientSecret: secret, scope: ['orders:read', 'orders:write'], resource: 'https://orders.example.com/' });
    assert.equal(await tokens.token(), 'token-1');
    const [seen] = endpoint.requests;
    assert.equal(seen?.method, 'POST');
    assert.equal(seen?.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(seen?.headers.accept, 'application/json');
    const basic = /^Basic ([A-Za-z0-9+/]+=*)$/.exec(seen?.headers.authorization ?? '');
    assert.ok(basic !== null, seen?.headers.authorization);
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    assert.equal(decoded, `svc%3Aone+two:${'a+b%3Ac%2Bd%2541%2F%C3%A9%26%3D*%7E%21%27%28%29-_.'}`);
    // And it decodes back the way a server decodes it.
    const [id, pass] = decoded.split(':').map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
    assert.deepEqual([id, pass], ['svc:one two', secret]);
    const form = new URLSearchParams(seen?.body);
    assert.deepEqual([...form.keys()].sort(), ['grant_type', 'resource', 'scope']);
    assert.equal(form.get('grant_type'), 'client_credentials');
    assert.equal(form.get('scope'), 'orders:read orders:write');
    assert.equal(form.get('resource'), 'https://orders.example.com/');
  });

  test('without scope and resource only grant_type is sent', async (t) => {
    const endpoint = await startEndpoint(t, issuing());
    await source(t, endpoint).source.token();
    assert.equal(endpoint.requests[0]?.body, 'grant_type=client_credentials');
  });

  test('authorization() is "Bearer <token>"', async (t) => {
    const endpoint = await startEndpoint(t, issuing());
    assert.equal(await source(t, endpoint).source.authorization(), 'Bearer token-1');
  });
});

describe('client credentials: caching and refresh', () => {
  test('a fresh token is served from the cache', async (t) => {
    const endpoint = await startEndpoint(t, issuing(300));
    const h = source(t, endpoint);
    assert.equal(await h.source.token(), 'token-1');
    h.clock.now += 100_000;
    assert.equal(await h.source.token(), 'token-1');
    assert.equal(await h.source.authorization(), 'Bearer token-1');
    assert.equal(endpoint.requests.length, 1);
    assert.deepEqual(h.events.map((e) => e.type), ['token.fetched']);
  });

  test('concurrent callers share one request (single-flight)', async (t) => {
    const gate = gated(issuing());
    const endpoint = await startEndpoint(t, gate.handler);
    const h = source(t, endpoint);
    const waiting = Array.from({ length: 20 }, () => h.source.token());
    await settled(endpoint, 1);
    gate.release();
    assert.deepEqual(new Set(await Promise.all(waiting)), new Set(['token-1']));
    assert.equal(endpoint.requests.length, 1);
  });

  test('refreshes at 80 % of the lifetime when that comes before refreshBeforeSeconds', async (t) => {
    // 1000 s: 80 % is 800 s, 60 s before the end is 940 s → 800 s.
    const endpoint = await startEndpoint(t, issuing(1000));
    const h = source(t, endpoint);
    const start = h.clock.now;
    assert.equal(await h.source.token(), 'token-1');
    h.clock.now = start + 799_999;
    assert.equal(await h.source.token(), 'token-1');
    await settled(endpoint, 1);
    assert.equal(endpoint.requests.length, 1, 'no refresh before 80 %');
    h.clock.now = start + 800_000;
    assert.equal(await h.source.token(), 'token-1', 'the still-valid token is served while the refresh runs');
    await eventsReach(h, 2);
    assert.equal(endpoint.requests.length, 2);
    assert.equal(await h.source.token(), 'token-2');
    assert.equal(endpoint.requests.length, 2);
  });

  test('refreshes refreshBeforeSeconds before the end when that comes first', async (t) => {
    // 100 s with refreshBeforeSeconds 60: 40 s (before 80 s).
    const endpoint = await startEndpoint(t, issuing(100));
    const h = source(t, endpoint, { refreshBeforeSeconds: 60 });
    const start = h.clock.now;
    await h.source.token();
    h.clock.now = start + 39_999;
    await h.source.token();
    await settled(endpoint, 1);
    assert.equal(endpoint.requests.length, 1);
    h.clock.now = start + 40_000;
    await h.source.token();
    await eventsReach(h, 2);
    assert.equal(await h.source.token(), 'token-2');
  });

  test('the lifetime counts from when the request was sent', async (t) => {
    const gate = gated(issuing(100));
    const endpoint = await startEndpoint(t, gate.handler);
    const h = source(t, endpoint, { refreshBeforeSeconds: 0 });
    const start = h.clock.now;
    const pending = h.source.token();
    await settled(endpoint, 1);
    h.clock.now = start + 30_000; // a slow answer
    gate.release();
    await pending;
    h.clock.now = start + 80_000; // 80 % after sending, 50 s after the answer
    await h.source.token();
    await settled(endpoint, 2);
    assert.equal(endpoint.requests.length, 2);
  });

  test('a failed background refresh keeps serving the valid token, retries after 5 s, and never serves it expired', async (t) => {
    const endpoint = await startEndpoint(t, issuing(100));
    const h = source(t, endpoint, { refreshBeforeSeconds: 0 });
    const start = h.clock.now;
    assert.equal(await h.source.token(), 'token-1');

    endpoint.handler = json({ error: 'temporarily_unavailable' }, 503);
    h.clock.now = start + 80_000;
    assert.equal(await h.source.token(), 'token-1');
    await eventsReach(h, 2);
    assert.equal(endpoint.requests.length, 2);
    const failure = h.events.find((e) => e.type === 'token.fetch_failed');
    assert.deepEqual(failure && { code: failure.code, status: failure.status, oauthError: failure.oauthError }, { code: 'token_request_failed', status: 503, oauthError: 'temporarily_unavailable' });

    h.clock.now = start + 84_000;
    assert.equal(await h.source.token(), 'token-1');
    await settled(endpoint, 3);
    assert.equal(endpoint.requests.length, 2, 'no retry within 5 s of a failure');

    h.clock.now = start + 85_001;
    assert.equal(await h.source.token(), 'token-1');
    await eventsReach(h, 3);
    assert.equal(endpoint.requests.length, 3, 'a retry after 5 s');

    // 100 s minus the margin (5 s): the token is no longer handed out, and the failure surfaces.
    h.clock.now = start + 95_000;
    await rejectsWith(h.source.token(), 'token_request_failed', (error) => assert.equal(error.status, 503));
    h.clock.now = start + 200_000;
    await rejectsWith(h.source.token(), 'token_request_failed');

    endpoint.handler = issuing(100);
    assert.equal(await h.source.token(), 'token-1', 'a failure is not cached: the next call asks again');
  });

  test('a short-lived token keeps a tenth of its life as margin', async (t) => {
    const endpoint = await startEndpoint(t, issuing(10));
    const h = source(t, endpoint, { refreshBeforeSeconds: 0 });
    const start = h.clock.now;
    await h.source.token();
    endpoint.handler = json({ error: 'server_error' }, 500);
    h.clock.now = start + 8_999;
    assert.equal(await h.source.token(), 'token-1');
    await eventsReach(h, 2);
    h.clock.now = start + 9_000;
    await rejectsWith(h.source.token(), 'token_request_failed');
  });

  test('a clock that went backwards makes the token due, not fresh', async (t) => {
    const endpoint = await startEndpoint(t, issuing(300));
    const h = source(t, endpoint);
    await h.source.token();
    h.clock.now -= 1;
    assert.equal(await h.source.token(), 'token-2');
  });

  test('without expires_in the token is not kept', async (t) => {
    const endpoint = await startEndpoint(t, issuing(null));
    const h = source(t, endpoint);
    assert.equal(await h.source.token(), 'token-1');
    assert.equal(await h.source.token(), 'token-2');
  });

  test('expires_in as a string of digits is accepted', async (t) => {
    const endpoint = await startEndpoint(t, json({ access_token: 'abc', token_type: 'bearer', expires_in: '300' }));
    const h = source(t, endpoint);
    await h.source.token();
    h.clock.now += 200_000;
    await h.source.token();
    assert.equal(endpoint.requests.length, 1);
  });

  test('invalidate(): the next call gets a token requested after it; a request in flight is not cached', async (t) => {
    const endpoint = await startEndpoint(t, issuing(300));
    const h = source(t, endpoint);
    assert.equal(await h.source.token(), 'token-1');
    h.source.invalidate();
    assert.equal(await h.source.token(), 'token-2');

    const gate = gated(issuing(300));
    endpoint.handler = gate.handler;
    h.source.invalidate();
    const before = h.source.token();
    await settled(endpoint, 3);
    h.source.invalidate();
    const after = h.source.token();
    await settled(endpoint, 4);
    gate.release();
    const answers = await Promise.all([before, after]);
    assert.notEqual(answers[0], answers[1]);
    assert.equal(await h.source.token(), answers[1]);
    assert.equal(endpoint.requests.length, 4);
  });

  test('close() aborts the request in flight and refuses further calls', async (t) => {
    const gate = gated(issuing());
    const endpoint = await startEndpoint(t, gate.handler);
    const h = source(t, endpoint);
    const pending = h.source.token();
    await settled(endpoint, 1);
    await h.source.close();
    await rejectsWith(pending, 'token_request_failed', (error) => {
      assert.equal(error.status, undefined);
      assert.match(error.message, /closed/);
    });
    await rejectsWith(h.source.token(), 'token_request_failed');
    await rejectsWith(h.source.authorization(), 'token_request_failed');
    gate.release();
  });
});

describe('client credentials: errors', () => {
  test('an OAuth error answer → token_request_failed with status and error code, never the secret', async (t) => {
    const endpoint = await startEndpoint(t, json({ error: 'invalid_client', error_description: 'client authentication failed' }, 401, { 'www-authenticate': 'Basic realm="x"' }));
    const h = source(t, endpoint);
    const error = await rejectsWith(h.source.token(), 'token_request_failed', (e) => {
      assert.equal(e.status, 401);
      assert.equal(e.oauthError, 'invalid_client');
      assert.equal(e.oauthErrorDescription, 'client authentication failed');
      assert.equal(e.name, 'TokenRequestError');
    });
    assertNoSecret(error);
    assertNoSecret(h.events);
  });

  test('each OAuth error code is carried as sent', async (t) => {
    const endpoint = await startEndpoint(t, issuing());
    const h = source(t, endpoint);
    for (const [status, code] of [[400, 'invalid_scope'], [400, 'invalid_target'], [400, 'unauthorized_client'], [400, 'invalid_grant'], [500, 'server_error']] as const) {
      endpoint.handler = json({ error: code }, status);
      await rejectsWith(h.source.token(), 'token_request_failed', (e) => assert.deepEqual([e.status, e.oauthError, e.oauthErrorDescription], [status, code, undefined]));
    }
  });

  test('an error answer without a well-formed OAuth error carries the status only', async (t) => {
    const endpoint = await startEndpoint(t, (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<h1>Bad gateway</h1>');
    });
    const h = source(t, endpoint);
    await rejectsWith(h.source.token(), 'token_request_failed', (e) => assert.deepEqual([e.status, e.oauthError], [502, undefined]));
    for (const body of [{ error: 'has "quotes"' }, { error: 'x'.repeat(129) }, { error: 42 }, { error: 'line\nbreak' }, [{ error: 'invalid_client' }]]) {
      endpoint.handler = json(body, 400);
      await rejectsWith(h.source.token(), 'token_request_failed', (e) => assert.deepEqual([e.status, e.oauthError], [400, undefined], JSON.stringify(body)));
    }
    endpoint.handler = json({ error: 'invalid_request', error_description: 'bad\u0000char' }, 400);
    await rejectsWith(h.source.token(), 'token_request_failed', (e) => assert.deepEqual([e.oauthError, e.oauthErrorDescription], ['invalid_request', undefined]));
  });

  test('a 200 that is not a usable token response → token_response_invalid', async (t) => {
    const endpoint = await startEndpoint(t, issuing());
    const h = source(t, endpoint);
    const bodies: unknown[] = [
      'not json',
      '',
      '[]',
      '"a string"',
      '{"access_token":"a","access_token":"b","token_type":"Bearer","expires_in":300}',
      { token_type: 'Bearer', expires_in: 300 },
      { access_token: '', token_type: 'Bearer', expires_in: 300 },
      { access_token: 42, token_type: 'Bearer', expires_in: 300 },
      { access_token: 'has space', token_type: 'Bearer', expires_in: 300 },
      { access_token: 'abc\r\nX-Injected: 1', token_type: 'Bearer', expires_in: 300 },
      { access_token: 'abc', expires_in: 300 },
      { access_token: 'abc', token_type: 'DPoP', expires_in: 300 },
      { access_token: 'abc', token_type: 'Bearer', expires_in: 0 },
      { access_token: 'abc', token_type: 'Bearer', expires_in: -5 },
      { access_token: 'abc', token_type: 'Bearer', expires_in: 'soon' },
      { access_token: 'abc', token_type: 'Bearer', expires_in: null },
      '{"access_token":"abc","token_type":"Bearer","expires_in":1e400}',
    ];
    for (const body of bodies) {
      endpoint.handler = json(body);
      await rejectsWith(h.source.token(), 'token_response_invalid', undefined);
    }
    assert.equal(h.events.filter((e) => e.type === 'token.fetch_failed').length, bodies.length);
  });

  test('the answer is bounded in size, declared or streamed', async (t) => {
    const big = JSON.stringify({ access_token: 'a'.repeat(2000), token_type: 'Bearer', expires_in: 300 });
    const endpoint = await startEndpoint(t, json(big));
    const h = source(t, endpoint, { maxBodyBytes: 1024 });
    await rejectsWith(h.source.token(), 'token_response_invalid', (e) => assert.match(e.message, /exceeds 1024 bytes/));
    endpoint.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no content-length
      res.write(big.slice(0, 800));
      res.end(big.slice(800));
    };
    await rejectsWith(h.source.token(), 'token_response_invalid', (e) => assert.match(e.message, /exceeds 1024 bytes/));
  });

  test('a token endpoint that does not answer in time → token_request_failed (timeout)', async (t) => {
    const endpoint = await startEndpoint(t, () => undefined);
    const h = source(t, endpoint, { timeoutMs: 100 });
    await rejectsWith(h.source.token(), 'token_request_failed', (e) => {
      assert.equal(e.status, undefined);
      assert.match(e.message, /timed out after 100 ms/);
    });
  });

  test('a body that stalls after the headers → timeout as well', async (t) => {
    const endpoint = await startEndpoint(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"access_token":');
    });
    const h = source(t, endpoint, { timeoutMs: 150 });
    await rejectsWith(h.source.token(), 'token_request_failed', (e) => assert.match(e.message, /timed out/));
  });

  test('an unreachable token endpoint → token_request_failed without a status', async (t) => {
    const endpoint = await startEndpoint(t, issuing());
    const url = endpoint.url.replace(/:\d+\//, ':1/');
    const h = source(t, { ...endpoint, url });
    await rejectsWith(h.source.token(), 'token_request_failed', (e) => assert.equal(e.status, undefined));
  });

  test('a redirect is not followed (the credentials stay where they were configured)', async (t) => {
    const elsewhere = await startEndpoint(t, issuing());
    const endpoint = await startEndpoint(t, (_req, res) => {
      res.writeHead(307, { location: elsewhere.url });
      res.end();
    });
    const h = source(t, endpoint);
    await rejectsWith(h.source.token(), 'token_request_failed');
    assert.equal(elsewhere.requests.length, 0);
  });

  test('a throwing fetch or observer is contained', async (t) => {
    const endpoint = await startEndpoint(t, issuing());
    const h = source(t, endpoint, {
      fetch: () => {
        throw new Error('boom');
      },
      onEvent: () => {
        throw new Error('observer bug');
      },
    });
    await rejectsWith(h.source.token(), 'token_request_failed', (e) => assert.match(e.message, /boom/));
  });
});
