import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { resolveDataPlaneOptions, type DataPlaneOptions } from './forward/data-plane-options.ts';
import { Exchange, type ExchangeServices } from './forward/exchange.ts';
import { Upstreams } from './forward/upstreams.ts';
import { isWebSocketToken, type WebSocketTunnel } from './forward/websocket-tunnel.ts';

export interface DataPlane {
  /** Not listening yet: the caller chooses the address (`server.listen(8080, '0.0.0.0')`). */
  readonly server: Server;
  /**
   * Stops at once: no new connections, every client connection and WebSocket tunnel closed,
   * in-flight upstream requests aborted, upstream pools destroyed. (A graceful drain — stop
   * routing to this instance, wait, then close — is the caller's.)
   */
  close(): Promise<void>;
  /**
   * Graceful stop (SIGTERM): no new connections, idle keep-alive connections closed, requests in
   * flight (and open WebSocket tunnels) given up to `graceMs` to finish; then close(). Resolves
   * with how many connections were still open when the grace ran out (0: a clean drain).
   */
  drain(graceMs: number): Promise<number>;
}

/**
 * The gateway's data plane: a node:http server whose every request — HTTP or WebSocket upgrade —
 * goes through `decide` (authentication and policy) and is then answered by the verdict or
 * forwarded over a keep-alive undici Pool, bodies streamed both ways. See forward/verdict.ts for
 * the hook, docs in forward/*.ts for each header rule.
 */
export function createDataPlane<TAudit = unknown>(options: DataPlaneOptions<TAudit>): DataPlane {
  const settings = resolveDataPlaneOptions(options);
  const services: ExchangeServices<TAudit> = { settings, upstreams: new Upstreams(settings.pools), tunnels: new Set<WebSocketTunnel>() };
  /** Upgrade sockets from arrival to close, tunnelled or not: close() must reach them, node:http no longer tracks them. */
  const upgradeSockets = new Set<Socket>();

  const server = createServer({
    maxHeaderSize: settings.maxHeaderBytes,
    headersTimeout: settings.client.headersMs,
    requestTimeout: settings.client.requestMs,
    // How often node:http looks for requests past those two limits (its default, 30 s, would let a slowloris stay that much longer).
    connectionsCheckingInterval: Math.min(1_000, settings.client.headersMs),
    requireHostHeader: true,
  });
  server.keepAliveTimeout = settings.client.keepAliveMs;

  server.on('request', (request: IncomingMessage, response: ServerResponse) => new Exchange(services, request, response, null, false).start());
  // Emitted instead of 'request' for `Expect: 100-continue`: the 100 is sent only once the verdict is to forward.
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => new Exchange(services, request, response, null, true).start());
  server.on('upgrade', (request: IncomingMessage, duplex: Duplex, head: Buffer) => {
    const socket = duplex as Socket;
    // node:http removed its own listeners: without one, a reset from this client would crash the process.
    socket.on('error', ignoreSocketError);
    // Nothing is read until the tunnel exists (a client must wait for the 101 anyway).
    socket.pause();
    upgradeSockets.add(socket);
    socket.once('close', () => upgradeSockets.delete(socket));
    const response = new ServerResponse(request);
    response.shouldKeepAlive = false;
    response.assignSocket(socket);
    response.once('finish', () => socket.destroySoon());
    new Exchange(services, request, response, { socket, head, websocket: isWebSocketToken(request.headers.upgrade) }, false).start();
  });

  let closing: Promise<void> | undefined;
  const plane: DataPlane = {
    server,
    async drain(graceMs) {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // node:http keeps answering on a keep-alive connection that has a request in flight; once
      // that response is written the connection is idle and the next sweep closes it.
      const deadline = Date.now() + graceMs;
      let open = Infinity;
      while (Date.now() < deadline) {
        server.closeIdleConnections();
        open = await connectionCount();
        if (open === 0 && services.tunnels.size === 0) break;
        const settled = await Promise.race([stopped.then(() => true), delay(50).then(() => false)]);
        if (settled && services.tunnels.size === 0) {
          open = 0;
          break;
        }
      }
      const left = open === Infinity ? 0 : open + services.tunnels.size;
      await plane.close();
      return left;
    },
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        for (const tunnel of services.tunnels) tunnel.destroy();
        for (const socket of upgradeSockets) socket.destroy();
        await services.upstreams.close();
        await stopped;
      })();
      return closing;
    },
  };
  return plane;

  function connectionCount(): Promise<number> {
    return new Promise((resolve) => server.getConnections((error, count) => resolve(error === null ? count : 0)));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function ignoreSocketError(): void {
  // The exchange or the tunnel sees the socket close and records it.
}
