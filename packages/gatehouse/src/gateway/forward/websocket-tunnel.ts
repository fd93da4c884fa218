import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ForwardFailure } from './forward-failures.ts';

/**
 * What a WebSocket upgrade request must carry before it is even decided on (RFC 6455 §4.2.1):
 * GET, a key and a version (and no body, which the exchange checks with the framing).
 */
export function websocketHandshakeProblem(request: IncomingMessage): ForwardFailure | null {
  if (request.method !== 'GET' || request.headers['sec-websocket-key'] === undefined || request.headers['sec-websocket-version'] === undefined) return 'request_malformed';
  return null;
}

export function isWebSocketToken(value: string | string[] | undefined): boolean {
  return typeof value === 'string' && value.trim().toLowerCase() === 'websocket';
}

export interface TunnelEnd {
  /** null: both sides closed cleanly. */
  readonly failure: Extract<ForwardFailure, 'tunnel_idle_timeout' | 'client_aborted' | 'upstream_reset'> | null;
  readonly cause: unknown;
  readonly requestBytes: number;
  readonly responseBytes: number;
}

/**
 * The two sockets of an upgraded connection, piped both ways with backpressure. A clean end on one
 * side (FIN) is passed on as a clean end; an error or the idle timeout on either side destroys
 * both. `onEnd` runs once, after both sockets closed.
 */
export class WebSocketTunnel {
  readonly #client: Socket;
  readonly #upstream: Socket;
  readonly #onEnd: (end: TunnelEnd) => void;
  readonly #clientWrittenAtStart: number;
  readonly #upstreamWrittenAtStart: number;
  #open = 2;
  #failure: TunnelEnd['failure'] = null;
  #cause: unknown = undefined;

  /** `client` has had the 101 written to it already: the byte counts start after it. */
  constructor(client: Socket, upstream: Socket, idleMs: number, onEnd: (end: TunnelEnd) => void) {
    this.#client = client;
    this.#upstream = upstream;
    this.#onEnd = onEnd;
    this.#clientWrittenAtStart = client.bytesWritten;
    this.#upstreamWrittenAtStart = upstream.bytesWritten;
    this.#watch(client, upstream, 'client_aborted', idleMs);
    this.#watch(upstream, client, 'upstream_reset', idleMs);
  }

  /** `head`: what the client sent after its request head, before the 101 (usually nothing). */
  start(head: Buffer): void {
    if (head.length > 0) this.#upstream.write(head);
    this.#client.pipe(this.#upstream);
    this.#upstream.pipe(this.#client);
    this.#client.resume();
  }

  /** Ends the tunnel at once (the data plane is closing). */
  destroy(): void {
    this.#client.destroy();
    this.#upstream.destroy();
  }

  #watch(socket: Socket, other: Socket, onError: 'client_aborted' | 'upstream_reset', idleMs: number): void {
    socket.on('error', (error) => {
      this.#ended(onError, error);
      other.destroy();
    });
    if (idleMs > 0) {
      socket.setTimeout(idleMs, () => {
        this.#ended('tunnel_idle_timeout', undefined);
        this.destroy();
      });
    }
    socket.once('close', () => {
      // A clean close passes on as an end after what is still buffered; pipe() has ended `other` already on FIN.
      if (!other.destroyed) other.destroySoon();
      if (--this.#open === 0) {
        this.#onEnd({
          failure: this.#failure,
          cause: this.#cause,
          requestBytes: this.#upstream.bytesWritten - this.#upstreamWrittenAtStart,
          responseBytes: this.#client.bytesWritten - this.#clientWrittenAtStart,
        });
      }
    });
  }

  #ended(failure: NonNullable<TunnelEnd['failure']>, cause: unknown): void {
    if (this.#failure !== null) return;
    this.#failure = failure;
    this.#cause = cause;
  }
}
