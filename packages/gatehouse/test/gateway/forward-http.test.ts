/**
 * The data plane forwarding HTTP: verdicts, streamed bodies both ways, keep-alive pools,
 * backpressure, Expect: 100-continue. Real node:http upstreams on 127.0.0.1; nothing is timed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Agent, request as httpRequest, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { forwardTo, send, serversClosedAfterTests } from './support/data-plane-harness.ts';
import type { Echo } from './support/test-upstream.ts';

/** A guard against a regression that hangs a test, not an assertion on speed. */
const GUARD = { timeout: 60_000 };


/** Deterministic bytes: chunk `index` of a generated stream. */
function chunkAt(index: number, size = 64 * 1024): Buffer {
  return Buffer.alloc(size, index % 251);
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

const { upstream, plane, onCleanup } = serversClosedAfterTests();

describe('forwarding HTTP', GUARD, () => {
  it('forwards a GET with its path and query, and relays status, headers and body', async () => {
    const target = await upstream({
      handler: (request, response) => {
        response.writeHead(201, { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'], 'x-upstream': 'yes' });
        response.end(`seen ${request.method} ${request.url}`);
      },
    });
    const gateway = await plane({ decide: () => forwardTo(target.url) });

    const reply = await send(gateway.port, { path: '/orders/42?expand=items&x=%2F' });

    assert.equal(reply.status, 201);
    assert.equal(reply.body.toString(), 'seen GET /orders/42?expand=items&x=%2F');
    assert.equal(reply.headers['x-upstream'], 'yes');
    assert.deepEqual(reply.headers['set-cookie'], ['a=1', 'b=2']);
    const [record] = await gateway.recorded(1);
    assert.equal(record!.outcome, 'forwarded');
    assert.equal(record!.status, 201);
    assert.equal(record!.upstreamStatus, 201);
    assert.equal(record!.path, '/orders/42', 'the record leaves the query out');
    assert.equal(record!.responseBytes, reply.body.length);
    assert.equal(record!.clientIp, '127.0.0.1');
    assert.equal(record!.failure, null);
  });

  it('awaits an asynchronous decide hook and passes it the request and its context', async () => {
    const target = await upstream();
    const seen: { url: string | undefined; requestId: string; clientIp: string; websocket: boolean }[] = [];
    const gateway = await plane({
      decide: async (request, context) => {
        await new Promise((resolve) => setImmediate(resolve));
        seen.push({ url: request.url, ...context });
        return forwardTo(target.url, {}, { audit: { route: 'orders' } });
      },
    });

    const reply = await send(gateway.port, { path: '/x' });

    assert.equal(reply.status, 200);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.url, '/x');
    assert.equal(seen[0]!.clientIp, '127.0.0.1');
    assert.equal(seen[0]!.websocket, false);
    assert.equal(reply.headers['x-request-id'], seen[0]!.requestId);
    const [record] = await gateway.recorded(1);
    assert.deepEqual(record!.audit, { route: 'orders' });
    assert.equal(record!.requestId, seen[0]!.requestId);
  });

  it('streams a 20 MiB upload: the upstream has its first chunk before the client has sent the rest', async () => {
    const upstreamGotFirstChunk = deferred();
    const target = await upstream({
      handler: (request, response) => {
        const hash = createHash('sha256');
        let length = 0;
        request.on('data', (chunk: Buffer) => {
          if (length === 0) upstreamGotFirstChunk.resolve();
          length += chunk.length;
          hash.update(chunk);
        });
        request.on('end', () => response.end(JSON.stringify({ length, sha256: hash.digest('hex') })));
      },
    });
    const gateway = await plane({ decide: () => forwardTo(target.url) });

    const total = 320; // × 64 KiB = 20 MiB
    const expected = createHash('sha256');
    let produced = 0;
    let producedWhenUpstreamStarted = -1;
    void upstreamGotFirstChunk.promise.then(() => (producedWhenUpstreamStarted = produced));
    const body = new Readable({
      async read() {
        // After 1 MiB the client holds back until the upstream has seen data: a proxy that
        // buffered whole bodies would deadlock here (the guard above would fail the test).
        if (produced === 16) await upstreamGotFirstChunk.promise;
        if (produced === total) return void this.push(null);
        const chunk = chunkAt(produced++);
        expected.update(chunk);
        this.push(chunk);
      },
    });

    const reply = await send(gateway.port, { method: 'POST', path: '/upload', body, headers: { 'content-type': 'application/octet-stream' } });

    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body.toString()), { length: total * 64 * 1024, sha256: expected.digest('hex') });
    assert.ok(producedWhenUpstreamStarted >= 0 && producedWhenUpstreamStarted < total, `the upstream started after ${producedWhenUpstreamStarted} of ${total} chunks`);
  });

  it('streams a 20 MiB download: the client has its first bytes before the upstream has written the rest', async () => {
    const clientGotFirstBytes = deferred();
    const expected = createHash('sha256');
    const total = 320;
    for (let index = 0; index < total; index++) expected.update(chunkAt(index));
    let writtenWhenClientStarted = -1;
    const target = await upstream({
      handler: async (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        let written = 0;
        void clientGotFirstBytes.promise.then(() => (writtenWhenClientStarted = written));
        for (; written < total; written++) {
          if (written === 16) await clientGotFirstBytes.promise;
          if (!response.write(chunkAt(written))) await once(response, 'drain');
        }
        response.end();
      },
    });
    const gateway = await plane({ decide: () => forwardTo(target.url) });

    const received = createHash('sha256');
    let length = 0;
    const status = await new Promise<number>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: gateway.port, path: '/download', agent: false }, (response) => {
        response.on('data', (chunk: Buffer) => {
          if (length === 0) clientGotFirstBytes.resolve();
          length += chunk.length;
          received.update(chunk);
        });
        response.on('end', () => resolve(response.statusCode!));
        response.on('error', reject);
      })
        .on('error', reject)
        .end();
    });

    assert.equal(status, 200);
    assert.equal(length, total * 64 * 1024);
    assert.equal(received.digest('hex'), expected.digest('hex'));
    assert.ok(writtenWhenClientStarted >= 0 && writtenWhenClientStarted < total, `the client started after ${writtenWhenClientStarted} of ${total} chunks`);
    const [record] = await gateway.recorded(1);
    assert.equal(record!.responseBytes, total * 64 * 1024);
  });

  it('relays every byte to a client that pauses mid-download, holding little meanwhile', async () => {
    // That the gateway stops reading the upstream while the client is not reading is shown by the
    // unit test in forward-backpressure.test.ts; this one runs it end to end.
    const total = 512; // × 64 KiB = 32 MiB
    const upstreamWaiting = deferred();
    const target = await upstream({
      handler: async (_request, response) => {
        response.writeHead(200);
        for (let written = 0; written < total; written++) {
          if (!response.write(chunkAt(written))) {
            upstreamWaiting.resolve();
            await once(response, 'drain');
          }
        }
        response.end();
      },
    });
    const gateway = await plane({ decide: () => forwardTo(target.url) });
    let gatewayResponse: ServerResponse | undefined;
    gateway.plane.server.on('request', (_request, response: ServerResponse) => (gatewayResponse = response));

    const received = createHash('sha256');
    const length = await new Promise<number>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: gateway.port, path: '/', agent: false }, async (response) => {
        response.pause();
        await upstreamWaiting.promise;
        assert.ok(gatewayResponse!.writableLength <= gatewayResponse!.writableHighWaterMark + 128 * 1024, `the gateway holds ${gatewayResponse!.writableLength} bytes`);
        let count = 0;
        response.on('data', (chunk: Buffer) => {
          count += chunk.length;
          received.update(chunk);
        });
        response.on('end', () => resolve(count));
        response.on('error', reject);
        response.resume();
      })
        .on('error', reject)
        .end();
    });

    const expected = createHash('sha256');
    for (let index = 0; index < total; index++) expected.update(chunkAt(index));
    assert.equal(length, total * 64 * 1024);
    assert.equal(received.digest('hex'), expected.digest('hex'));
  });

  it('keeps upstream connections alive: ten requests in a row use one connection', async () => {
    const target = await upstream();
    const gateway = await plane({ decide: () => forwardTo(target.url) });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    onCleanup(async () => agent.destroy());

    for (let index = 0; index < 10; index++) {
      const reply = await send(gateway.port, { path: `/n/${index}`, agent, method: index % 2 === 0 ? 'GET' : 'POST', body: index % 2 === 0 ? undefined : 'payload' });
      assert.equal(reply.status, 200);
    }

    assert.equal(target.requests.length, 10);
    assert.equal(target.connections(), 1);
  });

  it('shares one pool per origin, however the upstream URL is spelled', async () => {
    const target = await upstream();
    const spellings = [target.url, `${target.url}/`, `ws://127.0.0.1:${target.port}`, `HTTP://127.0.0.1:${target.port}/`];
    let next = 0;
    const gateway = await plane({ decide: () => forwardTo(spellings[next++ % spellings.length]!) });

    for (const _ of spellings) assert.equal((await send(gateway.port)).status, 200);

    assert.equal(target.connections(), 1);
  });

  it('bounds the connections per upstream: concurrent requests beyond the bound wait their turn', async () => {
    const held: ServerResponse[] = [];
    const target = await upstream({ handler: (_request, response) => held.push(response) });
    const gateway = await plane({ decide: () => forwardTo(target.url), upstreamConnections: 2 });

    const replies = Array.from({ length: 6 }, (_, index) => send(gateway.port, { path: `/held/${index}` }));
    for (let answered = 0; answered < 6; answered++) {
      await target.arrived(answered + 1);
      assert.ok(target.requests.length - answered <= 2, `${target.requests.length - answered} requests at the upstream at once`);
      held[answered]!.end(`answer ${answered}`);
    }
    const statuses = (await Promise.all(replies)).map((reply) => reply.status);

    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200]);
    assert.equal(target.connections(), 2);
  });

  it('answers a respond verdict itself and never contacts the upstream', async () => {
    const target = await upstream();
    const gateway = await plane({
      decide: () => ({
        kind: 'respond',
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"', 'content-type': 'application/json', 'Content-Length': '999', Connection: 'upgrade', 'X-Request-Id': 'mine' },
        body: '{"error":"invalid_token"}',
        audit: { reason: 'token_expired' },
      }),
    });

    const reply = await send(gateway.port, { method: 'POST', path: '/orders', body: 'x'.repeat(1000), headers: { authorization: 'Bearer expired' } });

    assert.equal(reply.status, 401);
    assert.equal(reply.headers['www-authenticate'], 'Bearer error="invalid_token"');
    assert.equal(reply.body.toString(), '{"error":"invalid_token"}');
    assert.equal(reply.headers['content-length'], String(reply.body.length), 'the data plane sets the length');
    assert.match(String(reply.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(target.requests.length, 0);
    assert.equal(target.connections(), 0);
    const [record] = await gateway.recorded(1);
    assert.equal(record!.outcome, 'responded');
    assert.equal(record!.status, 401);
    assert.equal(record!.upstreamStatus, null);
    assert.deepEqual(record!.audit, { reason: 'token_expired' });
  });

  it('closes the connection after refusing a request whose body it did not read', async () => {
    const gateway = await plane({ decide: () => ({ kind: 'respond', status: 403 }) });
    const body = new Readable({ read() {} }); // never ends: the client is still "uploading"
    body.push('partial');

    const reply = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port: gateway.port, method: 'PUT', path: '/', agent: false, headers: { 'transfer-encoding': 'chunked' } }, (response) => {
        resolve({ status: response.statusCode!, connection: response.headers.connection });
        response.resume();
      });
      request.on('error', reject);
      body.pipe(request);
    });

    assert.equal(reply.status, 403);
    assert.equal(reply.connection, 'close');
  });

  it('sends 100 Continue only once the verdict is to forward', async () => {
    const target = await upstream();
    const gateway = await plane({ decide: (request) => (request.url === '/allowed' ? forwardTo(target.url) : { kind: 'respond', status: 401 }) });

    const attempt = (path: string) =>
      new Promise<{ continued: boolean; status: number; body: string }>((resolve, reject) => {
        let continued = false;
        const request = httpRequest({ host: '127.0.0.1', port: gateway.port, method: 'POST', path, agent: false, headers: { expect: '100-continue', 'content-length': '5' } }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk));
          response.on('end', () => resolve({ continued, status: response.statusCode!, body }));
        });
        request.on('continue', () => {
          continued = true;
          request.end('hello');
        });
        request.on('error', reject);
        request.flushHeaders();
      });

    const refused = await attempt('/refused');
    assert.deepEqual({ continued: refused.continued, status: refused.status }, { continued: false, status: 401 });

    const allowed = await attempt('/allowed');
    assert.equal(allowed.continued, true);
    assert.equal(allowed.status, 200);
    const echo = JSON.parse(allowed.body) as Echo;
    assert.equal(echo.bodyLength, 5);
    assert.equal(echo.rawHeaders.map((name) => name.toLowerCase()).includes('expect'), false, 'Expect was answered here, not forwarded');
  });

  it('relays HEAD, 204 and 304 responses without bodies', async () => {
    const target = await upstream({
      handler: (request, response) => {
        if (request.url === '/none') response.writeHead(204).end();
        else if (request.url === '/same') response.writeHead(304, { etag: '"v1"' }).end();
        else response.writeHead(200, { 'content-length': '11', 'content-type': 'text/plain' }).end(request.method === 'HEAD' ? undefined : 'hello world');
      },
    });
    const gateway = await plane({ decide: () => forwardTo(target.url) });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    onCleanup(async () => agent.destroy());

    const head = await send(gateway.port, { method: 'HEAD', path: '/doc', agent });
    const noContent = await send(gateway.port, { path: '/none', agent });
    const notModified = await send(gateway.port, { path: '/same', agent, headers: { 'if-none-match': '"v1"' } });
    const full = await send(gateway.port, { path: '/doc', agent });

    assert.deepEqual([head.status, head.headers['content-length'], head.body.length], [200, '11', 0]);
    assert.deepEqual([noContent.status, noContent.body.length], [204, 0]);
    assert.deepEqual([notModified.status, notModified.headers.etag, notModified.body.length], [304, '"v1"', 0]);
    assert.equal(full.body.toString(), 'hello world', 'the connection is still in step after the bodiless responses');
  });

  it('prefixes the upstream URL path, and sends the verdict path instead of the client one when given', async () => {
    const target = await upstream();
    const gateway = await plane({ decide: (request) => (request.url!.startsWith('/rewrite') ? forwardTo(`${target.url}/`, {}, { path: '/v2/items?q=1' }) : forwardTo(`${target.url}/api/`)) });

    const prefixed = JSON.parse((await send(gateway.port, { path: '/orders?page=2' })).body.toString()) as Echo;
    const rewritten = JSON.parse((await send(gateway.port, { path: '/rewrite/me' })).body.toString()) as Echo;

    assert.equal(prefixed.url, '/api/orders?page=2');
    assert.equal(rewritten.url, '/v2/items?q=1');
  });
});
