/**
 * Starts the data plane on 127.0.0.1 with a test's decide hook and collects its exchange
 * records; plus the clients the tests talk to it with: node:http (which, unlike undici, sends any
 * header a test asks for, hop-by-hop ones included) and a raw socket for what no client library
 * would send.
 */
import { request as httpRequest, type Agent, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { after } from 'node:test';
import { createDataPlane, type DataPlane } from '../../../src/gateway/data-plane.ts';
import type { DataPlaneOptions, ExchangeRecord, ForwardVerdict } from '../../../src/gateway/forward/index.ts';
import { startUpstream, type TestUpstream, type UpstreamOptions } from './test-upstream.ts';

export interface DataPlaneHarness<TAudit> {
  readonly url: string;
  readonly port: number;
  readonly plane: DataPlane;
  readonly records: ExchangeRecord<TAudit>[];
  /** Resolves with the records once there are at least `count`. */
  recorded(count: number): Promise<ExchangeRecord<TAudit>[]>;
  close(): Promise<void>;
}

export async function startDataPlane<TAudit = unknown>(options: DataPlaneOptions<TAudit>): Promise<DataPlaneHarness<TAudit>> {
  const records: ExchangeRecord<TAudit>[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const plane = createDataPlane<TAudit>({
    ...options,
    onResult(record) {
      records.push(record);
      options.onResult?.(record);
      for (const waiter of waiters.filter((candidate) => candidate.count <= records.length)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
  });
  await new Promise<void>((resolve) => plane.server.listen(0, '127.0.0.1', resolve));
  const port = (plane.server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    plane,
    records,
    async recorded(count) {
      if (records.length < count) await new Promise<void>((resolve) => waiters.push({ count, resolve }));
      return records;
    },
    close: () => plane.close(),
  };
}

/** A forward verdict to `upstream` injecting `injectHeaders`. */
export function forwardTo(upstream: string, injectHeaders: Record<string, string> = {}, extra: Partial<ForwardVerdict> = {}): ForwardVerdict {
  return { kind: 'forward', upstream, injectHeaders, ...extra };
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly body: Buffer;
}

export interface SendOptions {
  readonly method?: string;
  readonly path?: string;
  /** An array keeps repeated names and their order (node:http adds no Host to one: this helper does, unless given). */
  readonly headers?: OutgoingHttpHeaders | string[];
  readonly body?: Buffer | string | Readable;
  readonly agent?: Agent | false;
}

/** One request with node:http; the whole response body is collected. */
export function send(port: number, options: SendOptions = {}): Promise<Reply> {
  let headers = options.headers;
  if (Array.isArray(headers) && !headers.some((value, index) => index % 2 === 0 && value.toLowerCase() === 'host')) headers = ['Host', `127.0.0.1:${port}`, ...headers];
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: headers as OutgoingHttpHeaders, agent: options.agent ?? false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, rawHeaders: response.rawHeaders, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    const body = options.body;
    if (body instanceof Readable) body.pipe(request);
    else request.end(body);
  });
}

/** Writes `text` on a fresh connection and collects everything until the server closes it. */
export function sendRaw(port: number, text: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

/** A connected raw socket, for tests that talk in steps. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Reads from `socket` until `predicate` holds for everything read so far. */
export function readUntil(socket: Socket, predicate: (received: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      if (predicate(received)) {
        socket.off('data', onData);
        socket.off('close', onClose);
        socket.pause();
        resolve(received);
      }
    };
    const onClose = (): void => reject(new Error(`socket closed after ${received.length} bytes: ${received.toString('latin1').slice(0, 200)}`));
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.resume();
  });
}

/** The status code and lowercased header map of a raw HTTP response head. */
export function parseHead(text: string): { status: number; headers: Map<string, string[]>; body: string } {
  const end = text.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body: text.slice(end + 4) };
}

/**
 * `upstream()` and `plane()` for one test file: everything they start, and whatever is handed to
 * `onCleanup`, is closed after the file's tests, last started first.
 */
export function serversClosedAfterTests(defaults: { readonly upstream?: UpstreamOptions } = {}): {
  upstream(options?: UpstreamOptions): Promise<TestUpstream>;
  plane<TAudit = unknown>(options: DataPlaneOptions<TAudit>): Promise<DataPlaneHarness<TAudit>>;
  onCleanup(cleanup: () => Promise<void>): void;
} {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return {
    async upstream(options = defaults.upstream) {
      const started = await startUpstream(options);
      cleanups.push(() => started.close());
      return started;
    },
    async plane<TAudit = unknown>(options: DataPlaneOptions<TAudit>) {
      const started = await startDataPlane<TAudit>(options);
      cleanups.push(() => started.close());
      return started;
    },
    onCleanup(cleanup) {
      cleanups.push(cleanup);
    },
  };
}
