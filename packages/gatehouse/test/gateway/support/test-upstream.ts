/**
 * A real upstream on 127.0.0.1 for the data plane's tests: node:http, recording every request
 * (headers exactly as they arrived on the wire) and counting TCP connections. By default it
 * answers with what it saw; a test can take over the response. With `websocket: true` it
 * answers upgrades per RFC 6455 and echoes every text and binary frame.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { websocketAccept, FrameReader, encodeFrame } from './websocket-frames.ts';

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: readonly string[];
  readonly headers: IncomingHttpHeaders;
  readonly request: IncomingMessage;
}

/** What the default handler answers: the request as the upstream saw it. */
export interface Echo {
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: string[];
  readonly bodyLength: number;
  readonly bodySha256: string;
}

export type UpstreamHandler = (request: IncomingMessage, response: ServerResponse) => void;

export interface TestUpstream {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  readonly upgrades: ReceivedRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Resolves once the upstream has received `count` requests (HTTP and upgrade) in all. */
  arrived(count: number): Promise<void>;
  close(): Promise<void>;
}

export interface UpstreamOptions {
  readonly handler?: UpstreamHandler;
  readonly websocket?: boolean;
  /** Answer upgrades with this status instead of 101. */
  readonly refuseUpgradeWith?: number;
  /** Never answer upgrades. */
  readonly holdUpgrades?: boolean;
}

export function echoHandler(request: IncomingMessage, response: ServerResponse): void {
  const hash = createHash('sha256');
  let length = 0;
  request.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    length += chunk.length;
  });
  request.on('end', () => {
    const echo: Echo = { method: request.method!, url: request.url!, rawHeaders: request.rawHeaders, bodyLength: length, bodySha256: hash.digest('hex') };
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(echo));
  });
}

export async function startUpstream(options: UpstreamOptions = {}): Promise<TestUpstream> {
  const requests: ReceivedRequest[] = [];
  const upgrades: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const waiters: { count: number; resolve: () => void }[] = [];
  let connections = 0;
  const record = (list: ReceivedRequest[], request: IncomingMessage): void => {
    const received = { method: request.method!, url: request.url!, rawHeaders: request.rawHeaders, headers: request.headers, request };
    list.push(received);
    const total = requests.length + upgrades.length;
    for (const waiter of waiters.filter((candidate) => candidate.count <= total)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };

  const server = createServer((request, response) => {
    record(requests, request);
    (options.handler ?? echoHandler)(request, response);
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    record(upgrades, request);
    socket.on('error', () => {});
    // Like a real server: the peer's FIN ends the connection (node:http's sockets allow half-open).
    socket.on('end', () => socket.end());
    if (!options.websocket) {
      socket.destroy();
      return;
    }
    if (options.holdUpgrades === true) return;
    if (options.refuseUpgradeWith !== undefined) {
      const body = 'upgrade refused by upstream';
      socket.end(`HTTP/1.1 ${options.refuseUpgradeWith} Refused\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    const key = request.headers['sec-websocket-key'] as string;
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${websocketAccept(key)}\r\nX-Upstream-Hop: dropped\r\nConnection: X-Upstream-Hop\r\n\r\n`,
    );
    const reader = new FrameReader();
    const onData = (chunk: Buffer): void => {
      for (const frame of reader.push(chunk)) {
        if (frame.opcode === 0x8) {
          socket.end(encodeFrame(0x8, frame.payload, false));
          return;
        }
        if (frame.opcode === 0x1 || frame.opcode === 0x2) socket.write(encodeFrame(frame.opcode, frame.payload, false));
      }
    };
    if (head.length > 0) onData(head);
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    upgrades,
    connections: () => connections,
    arrived(count) {
      if (requests.length + upgrades.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Every value of a header in a raw header list, case-insensitively. */
export function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (rawHeaders[index]!.toLowerCase() === name.toLowerCase()) values.push(rawHeaders[index + 1]!);
  }
  return values;
}

/** The port of a server that was listening and is closed now: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
