/**
 * What the data plane does when something goes wrong: an upstream down, slow, resetting or
 * talking nonsense; a client leaving; a decide hook or a verdict at fault. On the wire always a
 * small generic answer; in the record, the precise failure code.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { errors } from 'undici';
import { classifyUpstreamError, FORWARD_FAILURES } from '../../src/gateway/forward/forward-failures.ts';
import type { Verdict } from '../../src/gateway/forward/index.ts';
import { forwardTo, send, serversClosedAfterTests, startDataPlane } from './support/data-plane-harness.ts';
import { closedPort } from './support/test-upstream.ts';

/** A guard against a regression that hangs a test, not an assertion on speed. */
const GUARD = { timeout: 60_000 };

const { upstream, plane, onCleanup } = serversClosedAfterTests();

/** A TCP server that answers every connection with `respond`, for upstreams no HTTP server would imitate. */
async function rawUpstream(respond: (socket: Socket) => void): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('data', () => respond(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** Sends a GET and reports how the response ended: complete, or cut after its head. */
function fetchOutcome(port: number, path = '/'): Promise<{ status: number; body: string; complete: boolean }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body, complete: response.complete }));
      response.on('error', () => resolve({ status: response.statusCode!, body, complete: false }));
      response.on('aborted', () => resolve({ status: response.statusCode!, body, complete: false }));
    })
      .on('error', reject)
      .end();
  });
}

/** Resolves on 'close', whatever error came before it. */
function closed(emitter: { once(event: 'close', listener: () => void): unknown; on(event: 'error', listener: () => void): unknown }): Promise<void> {
  emitter.on('error', () => {});
  return new Promise((resolve) => emitter.once('close', resolve));
}

function assertGeneric(reply: { status: number; body: Buffer | string }, status: number, error: string): void {
  assert.equal(reply.status, status);
  assert.equal(reply.body.toString(), JSON.stringify({ error }));
}

describe('upstream failures', GUARD, () => {
  it('an upstream that refuses connections gets 502 and no detail', async () => {
    const port = await closedPort();
    const gateway = await plane({ decide: () => forwardTo(`http://127.0.0.1:${port}`) });

    const reply = await send(gateway.port, { path: '/orders' });

    assertGeneric(reply, 502, 'bad_gateway');
    assert.equal(reply.headers['content-type'], 'application/json');
    const [record] = await gateway.recorded(1);
    assert.equal(record!.failure, 'upstream_unreachable');
    assert.equal(record!.status, 502);
    assert.equal(record!.upstreamStatus, null);
    assert.equal((record!.cause as { code?: string }).code, 'ECONNREFUSED', 'the cause is kept for the operator');
  });

  it('an upstream that closes the connection without answering gets 502', async () => {
    const target = await upstream({ handler: (request) => request.socket.destroy() });
    const gateway = await plane({ decide: () => forwardTo(target.url) });

    assertGeneric(await send(gateway.port), 502, 'bad_gateway');
    assert.equal((await gateway.recorded(1))[0]!.failure, 'upstream_reset');
  });

  it('an upstream that answers something that is not HTTP gets 502', async () => {
    const url = await rawUpstream((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    const gateway = await plane({ decide: () => forwardTo(url) });

    assertGeneric(await send(gateway.port), 502, 'bad_gateway');
    assert.equal((await gateway.recorded(1))[0]!.failure, 'upstream_bad_response');
  });

  it('an upstream slower than headersMs gets 504', async () => {
    const target = await upstream({ handler: () => {} }); // never answers
    const gateway = await plane({ decide: () => forwardTo(target.url), upstreamTimeouts: { headersMs: 50 } });

    assertGeneric(await send(gateway.port), 504, 'gateway_timeout');
    const [record] = await gateway.recorded(1);
    assert.equal(record!.failure, 'upstream_headers_timeout');
    assert.equal(record!.status, 504);
  });

  it('an upstream whose body stalls longer than bodyMs: the response already started is cut, not completed', async () => {
    const target = await upstream({
      handler: (_request, response) => {
        response.writeHead(200, { 'content-length': '100' });
        response.write('only part of it');
      },
    });
    const gateway = await plane({ decide: () => forwardTo(target.url), upstreamTimeouts: { bodyMs: 50 } });

    const outcome = await fetchOutcome(gateway.port);

    assert.deepEqual(outcome, { status: 200, body: 'only part of it', complete: false });
    const [record] = await gateway.recorded(1);
    assert.equal(record!.failure, 'upstream_body_timeout');
    assert.equal(record!.outcome, 'failed');
    assert.equal(record!.status, 200);
  });

  it('an upstream that resets mid-body: the response is cut', async () => {
    const target = await upstream({
      handler: (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('half', () => response.socket!.destroy());
      },
    });
    const gateway = await plane({ decide: () => forwardTo(target.url) });

    const outcome = await fetchOutcome(gateway.port);

    assert.equal(outcome.complete, false);
    assert.equal(outcome.status, 200);
    assert.equal((await gateway.recorded(1))[0]!.failure, 'upstream_reset');
  });
});

describe('clients that leave', GUARD, () => {
  it('a client leaving while the upstream is still working aborts the upstream request', async () => {
    let upstreamResponse: ServerResponse | undefined;
    const target = await upstream({ handler: (_request, response) => (upstreamResponse = response) });
    const gateway = await plane({ decide: () => forwardTo(target.url) });

    const request = httpRequest({ host: '127.0.0.1', port: gateway.port, path: '/slow', agent: false });
    request.on('error', () => {});
    request.end();
    await target.arrived(1);
    const upstreamClosed = closed(upstreamResponse!);
    request.destroy();
    await upstreamClosed;

    assert.equal(upstreamResponse!.writableFinished, false, 'the upstream saw its connection go before it answered');
    const [record] = await gateway.recorded(1);
    assert.equal(record!.failure, 'client_aborted');
    assert.equal(record!.status, null);
  });

  it('a client leaving mid-upload aborts the upstream request before its body ends', async () => {
    let upstreamRequest: IncomingMessage | undefined;
    const target = await upstream({ handler: (request) => (upstreamRequest = request) });
    const gateway = await plane({ decide: () => forwardTo(target.url) });

    const request = httpRequest({ host: '127.0.0.1', port: gateway.port, method: 'POST', path: '/upload', agent: false, headers: { 'content-length': String(10 * 1024 * 1024) } });
    request.on('error', () => {});
    request.write(Buffer.alloc(64 * 1024));
    await target.arrived(1);
    await once(upstreamRequest!, 'data');
    const upstreamClosed = closed(upstreamRequest!);
    request.destroy();
    await upstreamClosed;

    assert.equal(upstreamRequest!.complete, false);
    assert.equal((await gateway.recorded(1))[0]!.failure, 'client_aborted');
  });

  it('a client leaving while the decide hook is out: nothing is forwarded, the record keeps the verdict audit', async () => {
    const target = await upstream();
    let release!: () => void;
    const decided = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inDecide = new Promise<void>((resolve) => (entered = resolve));
    const gateway = await plane<{ sub: string }>({
      decide: async () => {
        entered();
        await decided;
        return forwardTo(target.url, {}, { audit: { sub: 'alice' } }) as Verdict<{ sub: string }>;
      },
    });

    const request = httpRequest({ host: '127.0.0.1', port: gateway.port, path: '/', agent: false });
    request.on('error', () => {});
    request.end();
    await inDecide;
    request.destroy();
    await closed(request);
    // Wait until the gateway has seen the socket close too: its server counts no connections.
    while ((await new Promise<number>((resolve, reject) => gateway.plane.server.getConnections((error, count) => (error ? reject(error) : resolve(count))))) > 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    release();

    const [record] = await gateway.recorded(1);
    assert.equal(record!.failure, 'client_aborted');
    assert.deepEqual(record!.audit, { sub: 'alice' });
    assert.equal(target.requests.length, 0);
  });
});

describe('closing the data plane', GUARD, () => {
  it('ends exchanges in flight at once: the client connection and the upstream request are both closed', async () => {
    let upstreamResponse: ServerResponse | undefined;
    const target = await upstream({ handler: (_request, response) => (upstreamResponse = response) });
    const gateway = await startDataPlane({ decide: () => forwardTo(target.url) });

    const request = httpRequest({ host: '127.0.0.1', port: gateway.port, path: '/held', agent: false });
    const clientClosed = closed(request);
    request.end();
    await target.arrived(1);
    const upstreamClosed = closed(upstreamResponse!);
    await gateway.close();
    await Promise.all([clientClosed, upstreamClosed]);

    assert.equal(gateway.plane.server.listening, false);
    await gateway.close(); // a second close is harmless
  });
});

describe('the decide hook and its verdicts', GUARD, () => {
  it('a hook that throws or rejects gets 500, and its error text stays in the record', async () => {
    const gateway = await plane({
      decide: (request) => {
        if (request.url === '/throw') throw new Error('secret internals: db password is hunter2');
        return Promise.reject(new Error('secret internals from a promise'));
      },
    });

    for (const path of ['/throw', '/reject']) {
      const reply = await send(gateway.port, { path });
      assertGeneric(reply, 500, 'server_error');
    }
    const records = await gateway.recorded(2);
    assert.deepEqual(records.map((record) => record.failure), ['decision_failed', 'decision_failed']);
    assert.match(String((records[0]!.cause as Error).message), /hunter2/);
  });

  it('verdicts that cannot be carried out get 500 and contact no upstream', async () => {
    const target = await upstream();
    const verdicts: unknown[] = [
      { kind: 'redirect' },
      null,
      { kind: 'respond', status: 101 },
      { kind: 'respond', status: 700 },
      { kind: 'respond', status: 200, headers: { 'x-bad': 'a\nb' } },
      forwardTo('ftp://127.0.0.1/'),
      forwardTo(`http://user:pw@127.0.0.1:${target.port}`),
      forwardTo(`${target.url}/?q=1`),
      forwardTo('127.0.0.1:9001'),
      forwardTo(target.url, {}, { path: 'relative' }),
      forwardTo(target.url, {}, { path: '/has space' }),
    ];
    let next = 0;
    const gateway = await plane({ decide: () => verdicts[next++] as Verdict });

    for (const _ of verdicts) assertGeneric(await send(gateway.port), 500, 'server_error');

    const records = await gateway.recorded(verdicts.length);
    assert.deepEqual(new Set(records.map((record) => record.failure)), new Set(['verdict_invalid']));
    assert.equal(target.requests.length, 0);
  });

  it('an onResult that throws is reported as a warning, and the data plane carries on', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    onCleanup(async () => void process.off('warning', onWarning));
    const gateway = await plane({
      decide: () => ({ kind: 'respond', status: 204 }),
      onResult: () => {
        throw new Error('audit sink down');
      },
    });

    assert.equal((await send(gateway.port)).status, 204);
    await gateway.recorded(1);
    while (warnings.length === 0) await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await send(gateway.port)).status, 204);

    assert.match(warnings[0]!, /onResult threw .*audit sink down/);
  });
});

describe('failure codes', () => {
  it('undici errors map to the failure they stand for', () => {
    assert.equal(classifyUpstreamError(new errors.ConnectTimeoutError()), 'upstream_connect_timeout');
    assert.equal(classifyUpstreamError(new errors.HeadersTimeoutError()), 'upstream_headers_timeout');
    assert.equal(classifyUpstreamError(new errors.BodyTimeoutError()), 'upstream_body_timeout');
    assert.equal(classifyUpstreamError(new errors.HeadersOverflowError()), 'upstream_bad_response');
    assert.equal(classifyUpstreamError(new errors.ResponseContentLengthMismatchError()), 'upstream_bad_response');
    assert.equal(classifyUpstreamError(new errors.SocketError('other side closed')), 'upstream_reset');
    assert.equal(classifyUpstreamError(new errors.InvalidArgumentError('invalid header')), 'verdict_invalid');
    assert.equal(classifyUpstreamError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })), 'upstream_unreachable');
    assert.equal(classifyUpstreamError(Object.assign(new Error('lookup'), { code: 'ENOTFOUND' })), 'upstream_unreachable');
    assert.equal(classifyUpstreamError(Object.assign(new Error('parse'), { code: 'HPE_INVALID_CONSTANT' })), 'upstream_bad_response');
    assert.equal(classifyUpstreamError(Object.assign(new Error('reset'), { code: 'ECONNRESET' })), 'upstream_reset');
    assert.equal(classifyUpstreamError('not an error'), 'upstream_reset');
  });

  it('every failure that can answer answers 4xx or 5xx; the rest answer nothing (the response is cut or the client gone)', () => {
    for (const [failure, status] of Object.entries(FORWARD_FAILURES)) {
      assert.ok(status === null || (status >= 400 && status <= 599), failure);
    }
    const silent = Object.entries(FORWARD_FAILURES).filter(([, status]) => status === null).map(([failure]) => failure);
    assert.deepEqual(silent, ['upstream_body_timeout', 'tunnel_idle_timeout', 'client_aborted']);
  });
});
