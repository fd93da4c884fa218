/**
 * Requests built to be read differently by the gateway and the upstream (request smuggling),
 * requests for things the gateway is not (a forward proxy, a TRACE mirror), and clients too slow
 * on purpose. Raw sockets, since no client library sends these. Each is refused before the
 * decide hook and the upstream, or reaches the upstream framed exactly as the gateway read it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IncomingMessage } from 'node:http';
import { forwardTo, openSocket, parseHead, sendRaw, startDataPlane, type DataPlaneHarness } from './support/data-plane-harness.ts';
import { echoHandler, startUpstream, type TestUpstream } from './support/test-upstream.ts';

/** A guard against a regression that hangs a test, not an assertion on speed. */
const GUARD = { timeout: 60_000 };

let target: TestUpstream;
let gateway: DataPlaneHarness<unknown>;
const decided: string[] = [];
/** Upstream requests whose body arrived complete. */
let completeAtUpstream = 0;

before(async () => {
  target = await startUpstream({
    handler: (request: IncomingMessage, response) => {
      request.on('end', () => completeAtUpstream++);
      echoHandler(request, response);
    },
  });
  gateway = await startDataPlane({
    maxHeaderBytes: 4096,
    decide: (request) => {
      decided.push(`${request.method} ${request.url}`);
      return forwardTo(target.url);
    },
  });
});
after(async () => {
  await gateway.close();
  await target.close();
});

/** Sends `text` and expects the gateway to refuse it with `status` before deciding or forwarding anything. */
async function assertRefused(text: string, status: number): Promise<void> {
  const before = { decided: decided.length, upstream: target.requests.length };
  const response = await sendRaw(gateway.port, text);
  assert.match(response, new RegExp(`^HTTP/1\\.1 ${status} `), `answered: ${JSON.stringify(response.slice(0, 80))}`);
  assert.equal(decided.length, before.decided, 'the decide hook ran');
  assert.equal(target.requests.length, before.upstream, 'the upstream was contacted');
}

const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

describe('request smuggling', GUARD, () => {
  it('refuses Content-Length together with Transfer-Encoding, in either order', async () => {
    await assertRefused(head(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 4', 'Transfer-Encoding: chunked']) + '0\r\n\r\n', 400);
    await assertRefused(head(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked', 'Content-Length: 4']) + '0\r\n\r\n', 400);
  });

  it('refuses a repeated or malformed Content-Length', async () => {
    for (const lengths of [['3', '3'], ['3', '4'], ['3, 3'], ['+3'], ['-1'], ['0x3'], ['3 3'], ['']]) {
      await assertRefused(head(['POST / HTTP/1.1', 'Host: a', ...lengths.map((length) => `Content-Length: ${length}`)]) + 'abc', 400);
    }
  });

  it('refuses any transfer coding but a single chunked', async () => {
    for (const codings of [['chunked', 'chunked'], ['chunked, identity'], ['gzip, chunked'], ['identity'], ['xchunked'], ['chunked\u000b']]) {
      await assertRefused(head(['POST / HTTP/1.1', 'Host: a', ...codings.map((coding) => `Transfer-Encoding: ${coding}`)]) + '0\r\n\r\n', 400);
    }
  });

  it('refuses header lines a lenient parser would read differently', async () => {
    await assertRefused(head(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding : chunked']) + '0\r\n\r\n', 400); // space before the colon
    await assertRefused(head(['POST / HTTP/1.1', 'Host: a', 'X-Folded: a', ' Transfer-Encoding: chunked']) + '0\r\n\r\n', 400); // obs-fold
    await assertRefused('GET / HTTP/1.1\nHost: a\nContent-Length: 0\n\n', 400); // bare LF
  });

  it('refuses a second Host', async () => {
    await assertRefused(head(['GET / HTTP/1.1', 'Host: api.example.com', 'Host: admin.internal']), 400);
  });

  it('forwards a body with the framing the gateway read: a request inside it stays body', async () => {
    const inner = head(['GET /admin HTTP/1.1', 'Host: a']);
    const text = head(['POST /public HTTP/1.1', 'Host: a', `Content-Length: ${inner.length}`, 'Connection: close']) + inner;

    const response = parseHead(await sendRaw(gateway.port, text));

    assert.equal(response.status, 200);
    const echo = JSON.parse(response.body) as { url: string; bodyLength: number };
    assert.deepEqual({ url: echo.url, bodyLength: echo.bodyLength }, { url: '/public', bodyLength: inner.length });
    assert.ok(!target.requests.some((request) => request.url === '/admin'), 'the upstream never saw /admin as a request');
  });

  it('decides every pipelined request on its own', async () => {
    const text = head(['GET /first HTTP/1.1', 'Host: a']) + head(['GET /second HTTP/1.1', 'Host: a', 'Connection: close']);

    const response = await sendRaw(gateway.port, text);

    assert.equal(response.match(/HTTP\/1\.1 200 /g)?.length, 2);
    assert.deepEqual(decided.slice(-2), ['GET /first', 'GET /second']);
  });

  it('never lets an upstream complete a request whose chunked body is malformed', async () => {
    const before = completeAtUpstream;
    const response = await sendRaw(gateway.port, head(['POST /chunks HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked']) + '5\r\nhello\r\nzz\r\n\r\n');

    assert.doesNotMatch(response, /^HTTP\/1\.1 200 /);
    assert.equal(completeAtUpstream, before);
  });
});

describe('requests for something the gateway is not', GUARD, () => {
  it('refuses absolute-form and asterisk request-targets (not a forward proxy)', async () => {
    await assertRefused(head(['GET http://internal.example/admin HTTP/1.1', 'Host: internal.example']), 400);
    await assertRefused(head(['OPTIONS * HTTP/1.1', 'Host: a']), 400);
  });

  it('does not tunnel CONNECT', async () => {
    const before = { decided: decided.length, upstream: target.requests.length, connections: target.connections() };
    const response = await sendRaw(gateway.port, head(['CONNECT internal.example:443 HTTP/1.1', 'Host: internal.example:443']));
    assert.doesNotMatch(response, /^HTTP\/1\.1 2/);
    assert.deepEqual({ decided: decided.length, upstream: target.requests.length, connections: target.connections() }, before);
  });

  it('refuses TRACE, which would mirror the injected identity back to the client', async () => {
    await assertRefused(head(['TRACE / HTTP/1.1', 'Host: a', 'Connection: close']), 405);
  });

  it('refuses a request head over maxHeaderBytes with 431', async () => {
    await assertRefused(head(['GET / HTTP/1.1', 'Host: a', `X-Large: ${'a'.repeat(5000)}`]), 431);
  });

  it('refuses an HTTP/1.1 request without Host', async () => {
    await assertRefused(head(['GET / HTTP/1.1']), 400);
  });
});

describe('slow clients', GUARD, () => {
  it('a client that never finishes its headers (slowloris) is answered 408 and disconnected', async () => {
    const slow = await startDataPlane({ clientTimeouts: { headersMs: 100, requestMs: 100 }, decide: () => forwardTo(target.url) });
    try {
      const socket = await openSocket(slow.port);
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.write('GET / HTTP/1.1\r\nHost: a\r\nX-Dribble: 1\r\n');

      await closed;

      assert.match(Buffer.concat(received).toString(), /^HTTP\/1\.1 408 /);
      assert.equal(slow.records.length, 0, 'never became a request');
    } finally {
      await slow.close();
    }
  });

  it('a client that stops sending its body is disconnected after requestMs, and the upstream request aborted', async () => {
    let upstreamRequest: IncomingMessage | undefined;
    const holding = await startUpstream({ handler: (request) => (upstreamRequest = request) });
    const slow = await startDataPlane({ clientTimeouts: { headersMs: 100, requestMs: 200 }, decide: () => forwardTo(holding.url) });
    try {
      const socket = await openSocket(slow.port);
      socket.on('data', () => {});
      socket.on('error', () => {});
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.write(head(['POST /upload HTTP/1.1', 'Host: a', 'Content-Length: 1000']) + 'only ten b');
      await holding.arrived(1);
      const upstreamClosed = new Promise<void>((resolve) => upstreamRequest!.once('close', () => resolve()));
      upstreamRequest!.on('error', () => {});
      upstreamRequest!.resume();

      await closed;
      await upstreamClosed;

      assert.equal(upstreamRequest!.complete, false);
      const [record] = await slow.recorded(1);
      assert.equal(record!.failure, 'client_aborted');
    } finally {
      await slow.close();
      await holding.close();
    }
  });
});
