/**
 * WebSocket upgrades through the data plane: decided like any request, refused without touching
 * the upstream, tunnelled after the upstream's 101 with frames passing both ways, and closed on
 * both sides when either side or the idle timeout ends it. Frames are built by hand (RFC 6455).
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import type { RequestContext } from '../../src/gateway/forward/index.ts';
import { forwardTo, openSocket, parseHead, readUntil, sendRaw, serversClosedAfterTests, startDataPlane } from './support/data-plane-harness.ts';
import { closedPort, headerValues } from './support/test-upstream.ts';
import { encodeFrame, FrameReader, websocketAccept, websocketKey, type Frame } from './support/websocket-frames.ts';

/** A guard against a regression that hangs a test, not an assertion on speed. */
const GUARD = { timeout: 60_000 };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const { upstream, plane } = serversClosedAfterTests({ upstream: { websocket: true } });

function upgradeRequest(key: string, extra: string[] = [], requestLine = 'GET /live?room=1 HTTP/1.1'): string {
  return [requestLine, 'Host: app.example.com', 'Connection: Upgrade', 'Upgrade: websocket', `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13', ...extra, '', ''].join('\r\n');
}

/** Sends an upgrade request and reads the response head; the socket stays open. */
async function handshake(port: number, extra: string[] = []): Promise<{ socket: Socket; key: string; status: number; headers: Map<string, string[]>; rest: Buffer }> {
  const key = websocketKey();
  const socket = await openSocket(port);
  socket.on('error', () => {});
  socket.write(upgradeRequest(key, extra));
  const received = await readUntil(socket, (bytes) => bytes.includes('\r\n\r\n'));
  const end = received.indexOf('\r\n\r\n') + 4;
  const { status, headers } = parseHead(received.subarray(0, end).toString('latin1'));
  return { socket, key, status, headers, rest: received.subarray(end) };
}

/** Reads frames from `socket` (after any `first` bytes already read) until `count` have arrived. */
async function readFrames(socket: Socket, count: number, reader: FrameReader, first?: Buffer): Promise<Frame[]> {
  const frames: Frame[] = first !== undefined && first.length > 0 ? reader.push(first) : [];
  if (frames.length >= count) return frames;
  let consumed = 0;
  await readUntil(socket, (received) => {
    frames.push(...reader.push(received.subarray(consumed)));
    consumed = received.length;
    return frames.length >= count;
  });
  return frames;
}

function closedSocket(socket: Socket): Promise<void> {
  return socket.destroyed && socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

describe('WebSocket upgrades', GUARD, () => {
  it('are decided, forwarded with clean headers, and echo frames both ways through the tunnel', async () => {
    const target = await upstream();
    const contexts: RequestContext[] = [];
    const gateway = await plane({
      stripHeaders: ['x-user-id'],
      decide: (_request, context) => {
        contexts.push(context);
        return forwardTo(target.url, { 'X-Gatehouse-User': 'alice', 'X-Gatehouse-Assertion': 'signed.assertion' });
      },
    });

    const { socket, key, status, headers, rest } = await handshake(gateway.port, [
      'X-Gatehouse-User: mallory',
      'X-User-Id: u-mallory',
      'X-Forwarded-For: 6.6.6.6',
      'Sec-WebSocket-Protocol: chat',
      'Origin: https://app.example.com',
    ]);

    assert.equal(status, 101);
    assert.deepEqual(headers.get('sec-websocket-accept'), [websocketAccept(key)], 'computed by the upstream from our key');
    assert.deepEqual(headers.get('upgrade'), ['websocket']);
    assert.deepEqual(headers.get('connection'), ['Upgrade']);
    assert.match(headers.get('x-request-id')![0]!, UUID);
    assert.equal(headers.get('x-request-id')![0], contexts[0]!.requestId);
    assert.equal(headers.has('x-upstream-hop'), false, 'named by the upstream Connection header');
    assert.equal(contexts[0]!.websocket, true);

    const seen = (name: string) => headerValues(target.upgrades[0]!.rawHeaders, name);
    assert.equal(target.upgrades[0]!.url, '/live?room=1');
    assert.deepEqual(seen('x-gatehouse-user'), ['alice']);
    assert.deepEqual(seen('x-gatehouse-assertion'), ['signed.assertion']);
    assert.deepEqual(seen('x-user-id'), []);
    assert.deepEqual(seen('x-forwarded-for'), ['127.0.0.1']);
    assert.deepEqual(seen('sec-websocket-key'), [key]);
    assert.deepEqual(seen('sec-websocket-protocol'), ['chat']);
    assert.deepEqual(seen('origin'), ['https://app.example.com']);
    assert.deepEqual(seen('upgrade'), ['websocket']);
    assert.deepEqual(seen('connection'), ['upgrade']);
    assert.deepEqual(seen('x-request-id'), [contexts[0]!.requestId]);

    const text = encodeFrame(0x1, 'hello through the gateway', true);
    const binary = encodeFrame(0x2, Buffer.alloc(100_000, 7), true);
    const reader = new FrameReader();
    socket.write(text);
    const [echoText] = await readFrames(socket, 1, reader, rest);
    assert.deepEqual({ opcode: echoText!.opcode, payload: echoText!.payload.toString() }, { opcode: 0x1, payload: 'hello through the gateway' });

    socket.write(binary);
    const [echoBinary] = await readFrames(socket, 1, reader);
    assert.equal(echoBinary!.opcode, 0x2);
    assert.ok(echoBinary!.payload.equals(Buffer.alloc(100_000, 7)));

    const closing = closedSocket(socket);
    const close = encodeFrame(0x8, Buffer.from([0x03, 0xe8]), true);
    socket.write(close);
    socket.resume(); // read the close frame echoed back, and the end
    await closing;

    const [record] = await gateway.recorded(1);
    assert.equal(record!.websocket, true);
    assert.equal(record!.outcome, 'forwarded');
    assert.equal(record!.failure, null);
    assert.equal(record!.status, 101);
    assert.equal(record!.upstreamStatus, 101);
    assert.equal(record!.path, '/live');
    assert.equal(record!.requestBytes, text.length + binary.length + close.length);
    assert.equal(record!.responseBytes, encodeFrame(0x1, 'hello through the gateway', false).length + encodeFrame(0x2, Buffer.alloc(100_000), false).length + 4);
  });

  it('a refused upgrade gets the verdict response, and the upstream is never contacted', async () => {
    const target = await upstream();
    const gateway = await plane({ decide: () => ({ kind: 'respond', status: 401, headers: { 'WWW-Authenticate': 'Bearer' }, body: 'unauthorized' }) });

    const response = await sendRaw(gateway.port, upgradeRequest(websocketKey()));

    const { status, headers, body } = parseHead(response);
    assert.equal(status, 401);
    assert.deepEqual(headers.get('www-authenticate'), ['Bearer']);
    assert.deepEqual(headers.get('connection'), ['close']);
    assert.match(headers.get('x-request-id')![0]!, UUID);
    assert.equal(body, 'unauthorized');
    assert.equal(target.upgrades.length, 0);
    assert.equal(target.connections(), 0);
    const [record] = await gateway.recorded(1);
    assert.deepEqual([record!.outcome, record!.status, record!.websocket], ['responded', 401, true]);
  });

  it('an asynchronous decide hook works on the upgrade path too', async () => {
    const target = await upstream();
    const gateway = await plane({
      decide: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return forwardTo(target.url);
      },
    });

    const { socket, status } = await handshake(gateway.port);
    assert.equal(status, 101);
    socket.destroy();
  });

  it("an upstream that declines the upgrade: its answer is relayed and the connection closed", async () => {
    const target = await upstream({ websocket: true, refuseUpgradeWith: 403 });
    const gateway = await plane({ decide: () => forwardTo(target.url) });

    const { status, headers, body } = parseHead(await sendRaw(gateway.port, upgradeRequest(websocketKey())));

    assert.equal(status, 403);
    assert.equal(body, 'upgrade refused by upstream');
    assert.deepEqual(headers.get('connection'), ['close']);
    const [record] = await gateway.recorded(1);
    assert.deepEqual([record!.outcome, record!.status, record!.upstreamStatus], ['forwarded', 403, 403]);
  });

  it('an upstream that is down: 502', async () => {
    const port = await closedPort();
    const gateway = await plane({ decide: () => forwardTo(`ws://127.0.0.1:${port}`) });

    const { status, body } = parseHead(await sendRaw(gateway.port, upgradeRequest(websocketKey())));

    assert.equal(status, 502);
    assert.equal(body, '{"error":"bad_gateway"}');
    assert.equal((await gateway.recorded(1))[0]!.failure, 'upstream_unreachable');
  });

  it('an upstream that never answers the upgrade: 504, and its connection closed', async () => {
    const target = await upstream({ websocket: true, holdUpgrades: true });
    const gateway = await plane({ decide: () => forwardTo(target.url), upstreamTimeouts: { headersMs: 50 } });

    const response = sendRaw(gateway.port, upgradeRequest(websocketKey()));
    await target.arrived(1);
    const upstreamClosed = closedSocket(target.upgrades[0]!.request.socket as Socket);
    const { status, body } = parseHead(await response);
    await upstreamClosed;

    assert.equal(status, 504);
    assert.equal(body, '{"error":"gateway_timeout"}');
    assert.equal((await gateway.recorded(1))[0]!.failure, 'upstream_headers_timeout');
  });

  it('the client closing the tunnel closes the upstream side', async () => {
    const target = await upstream();
    const gateway = await plane({ decide: () => forwardTo(target.url) });
    const { socket } = await handshake(gateway.port);
    const upstreamSide = target.upgrades[0]!.request.socket as Socket;

    const upstreamClosed = closedSocket(upstreamSide);
    socket.destroy();
    await upstreamClosed;

    const [record] = await gateway.recorded(1);
    assert.equal(record!.websocket, true);
  });

  it('the upstream closing the tunnel closes the client side', async () => {
    const target = await upstream();
    const gateway = await plane({ decide: () => forwardTo(target.url) });
    const { socket } = await handshake(gateway.port);

    const clientClosed = closedSocket(socket);
    socket.resume();
    (target.upgrades[0]!.request.socket as Socket).destroy();
    await clientClosed;
  });

  it('a tunnel idle for tunnelIdleMs is closed on both sides', async () => {
    const target = await upstream();
    const gateway = await plane({ decide: () => forwardTo(target.url), upstreamTimeouts: { tunnelIdleMs: 100 } });
    const { socket } = await handshake(gateway.port);
    const upstreamSide = target.upgrades[0]!.request.socket as Socket;

    socket.resume();
    await Promise.all([closedSocket(socket), closedSocket(upstreamSide)]);

    const [record] = await gateway.recorded(1);
    assert.equal(record!.failure, 'tunnel_idle_timeout');
  });

  it('closing the data plane closes its tunnels', async () => {
    const target = await upstream();
    const gateway = await startDataPlane({ decide: () => forwardTo(target.url) });
    const { socket } = await handshake(gateway.port);
    const upstreamSide = target.upgrades[0]!.request.socket as Socket;

    socket.resume();
    await gateway.close();
    await Promise.all([closedSocket(socket), closedSocket(upstreamSide)]);
  });

  it('refuses incomplete WebSocket handshakes before deciding', async () => {
    const target = await upstream();
    let decided = 0;
    const gateway = await plane({
      decide: () => {
        decided++;
        return forwardTo(target.url);
      },
    });
    const noKey = ['GET / HTTP/1.1', 'Host: a', 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', '', ''].join('\r\n');
    const post = upgradeRequest(websocketKey(), [], 'POST /live HTTP/1.1');
    const withBody = upgradeRequest(websocketKey(), ['Content-Length: 5']) + 'hello';

    for (const request of [noKey, post, withBody]) {
      const { status, body } = parseHead(await sendRaw(gateway.port, request));
      assert.equal(status, 400);
      assert.equal(body, '{"error":"bad_request"}');
    }

    const records = await gateway.recorded(3);
    assert.deepEqual(records.map((record) => record.failure), ['request_malformed', 'request_malformed', 'request_malformed']);
    assert.equal(decided, 0);
    assert.equal(target.connections(), 0);
  });

  it('answers another upgrade (h2c) as the plain HTTP/1.1 request it also is, never forwarding the Upgrade', async () => {
    const target = await upstream();
    const gateway = await plane({ decide: () => forwardTo(target.url) });
    const h2c = ['GET /page HTTP/1.1', 'Host: a', 'Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA', '', ''].join('\r\n');

    const { status, headers, body } = parseHead(await sendRaw(gateway.port, h2c));

    assert.equal(status, 200);
    assert.deepEqual(headers.get('connection'), ['close']);
    const echo = JSON.parse(body) as { url: string; rawHeaders: string[] };
    assert.equal(echo.url, '/page');
    for (const name of ['upgrade', 'http2-settings']) assert.deepEqual(headerValues(echo.rawHeaders, name), [], name);
    assert.deepEqual(headerValues(echo.rawHeaders, 'connection'), ['keep-alive']);
    assert.equal(target.upgrades.length, 0);
    const [record] = await gateway.recorded(1);
    assert.deepEqual([record!.outcome, record!.websocket, record!.status], ['forwarded', false, 200]);
  });

  it('refuses another upgrade that carries a body: it cannot be streamed', async () => {
    const target = await upstream();
    const gateway = await plane({ decide: () => forwardTo(target.url) });
    const h2cPost = ['POST /form HTTP/1.1', 'Host: a', 'Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA', 'Content-Length: 5', '', 'hello'].join('\r\n');

    const { status } = parseHead(await sendRaw(gateway.port, h2cPost));

    assert.equal(status, 400);
    assert.equal((await gateway.recorded(1))[0]!.failure, 'upgrade_not_supported');
    assert.equal(target.connections(), 0);
  });
});
