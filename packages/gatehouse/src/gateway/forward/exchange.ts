import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { requestOrigin, type RequestOrigin } from './client-address.ts';
import { relayedResponseHeaders, switchingProtocolsHead, verdictResponseHeaders } from './client-response-headers.ts';
import type { DataPlaneSettings } from './data-plane-options.ts';
import type { ExchangeRecord } from './exchange-record.ts';
import { classifyUpstreamError, FAILURE_BODIES, FORWARD_FAILURES, type ForwardFailure } from './forward-failures.ts';
import { requestFraming, type RequestFraming } from './request-framing.ts';
import { upstreamRequestHeaders } from './upstream-request-headers.ts';
import type { Upstreams } from './upstreams.ts';
import type { ForwardVerdict, RequestContext, RespondVerdict, Verdict } from './verdict.ts';
import { isWebSocketToken, websocketHandshakeProblem, WebSocketTunnel, type TunnelEnd } from './websocket-tunnel.ts';

/** What every exchange of one data plane shares. */
export interface ExchangeServices<TAudit> {
  readonly settings: DataPlaneSettings<TAudit>;
  readonly upstreams: Upstreams;
  readonly tunnels: Set<WebSocketTunnel>;
}

/** The raw side of an upgrade request, as node:http's 'upgrade' event gives it. */
export interface UpgradeRequest {
  readonly socket: Socket;
  /** Bytes the client sent after its request head. */
  readonly head: Buffer;
  /**
   * `Upgrade: websocket`. Any other upgrade (h2c: `curl --http2` on http://) is answered as the
   * plain HTTP/1.1 request it also is — Upgrade is hop-by-hop and never forwarded — and the
   * connection closed after it.
   */
  readonly websocket: boolean;
}

/** The reason given to undici when the client is gone; it goes nowhere else. */
const CLIENT_GONE = new Error('the client went away');
const EMPTY = Buffer.alloc(0);

/**
 * One request through the data plane, HTTP or WebSocket: framing checks, the decide hook, then
 * either the verdict's response or the upstream exchange, and one record at the end. It is also
 * the undici dispatch handler, so relaying costs no closures: response chunks go straight to the
 * ServerResponse, and when the client cannot take more the upstream read is paused until 'drain'.
 * On the WebSocket path `response` is a ServerResponse on the raw socket, so refusals, failures and
 * an upstream's non-101 answer are written the same way; a 101 hands both sockets to a tunnel.
 */
export class Exchange<TAudit> implements Dispatcher.DispatchHandler {
  readonly #services: ExchangeServices<TAudit>;
  readonly #request: IncomingMessage;
  readonly #response: ServerResponse;
  readonly #upgrade: UpgradeRequest | null;
  readonly #awaitingContinue: boolean;
  readonly #startedAt = performance.now();
  readonly #origin: RequestOrigin;
  readonly #context: RequestContext;
  #framing: RequestFraming = 'no-body';
  #controller: Dispatcher.DispatchController | null = null;
  /** The upstream answered in full, failed, or upgraded: nothing left to abort. */
  #upstreamSettled = false;
  #deciding = false;
  #clientGone = false;
  #tunnelled = false;
  #recorded = false;
  #outcome: 'forwarded' | 'responded' = 'forwarded';
  #failure: ForwardFailure | null = null;
  #cause: unknown = undefined;
  #upstreamStatus: number | null = null;
  #responseBytes = 0;
  #requestBytes: number | null = null;
  #audit: TAudit | undefined = undefined;
  #resume: (() => void) | null = null;

  constructor(services: ExchangeServices<TAudit>, request: IncomingMessage, response: ServerResponse, upgrade: UpgradeRequest | null, awaitingContinue: boolean) {
    this.#services = services;
    this.#request = request;
    this.#response = response;
    this.#upgrade = upgrade;
    this.#awaitingContinue = awaitingContinue;
    this.#origin = requestOrigin(request, services.settings.trusted);
    this.#context = { requestId: randomUUID(), clientIp: this.#origin.clientIp, websocket: upgrade?.websocket === true };
    response.once('close', this.#onResponseClose);
  }

  start(): void {
    const request = this.#request;
    this.#framing = requestFraming(request);
    if (this.#framing === 'malformed') return this.#fail('request_malformed');
    if (request.method === 'TRACE') return this.#fail('method_not_allowed');
    if (this.#upgrade !== null) {
      // An upgrade request's body cannot be streamed: node:http has handed over the raw socket.
      const problem =
        this.#framing === 'body' ? (this.#upgrade.websocket ? 'request_malformed' : 'upgrade_not_supported')
        : this.#upgrade.websocket ? websocketHandshakeProblem(request)
        : null;
      if (problem !== null) return this.#fail(problem);
    }
    let verdict: Verdict<TAudit> | Promise<Verdict<TAudit>>;
    try {
      verdict = this.#services.settings.decide(request, this.#context);
    } catch (error) {
      return this.#fail('decision_failed', error);
    }
    if (typeof (verdict as Partial<Promise<unknown>> | null)?.then === 'function') {
      this.#deciding = true;
      (verdict as Promise<Verdict<TAudit>>).then(
        (settled) => this.#decided(settled),
        (error: unknown) => this.#decideFailed(error),
      );
    } else {
      this.#decided(verdict as Verdict<TAudit>);
    }
  }

  #decideFailed(error: unknown): void {
    this.#deciding = false;
    if (this.#clientGone) return this.#record();
    this.#fail('decision_failed', error);
  }

  #decided(verdict: Verdict<TAudit>): void {
    this.#deciding = false;
    if (typeof verdict === 'object' && verdict !== null) this.#audit = verdict.audit;
    if (this.#clientGone) return this.#record();
    if (verdict?.kind === 'respond') return this.#respond(verdict);
    if (verdict?.kind === 'forward') return this.#forward(verdict);
    this.#fail('verdict_invalid');
  }

  #respond(verdict: RespondVerdict<TAudit>): void {
    const { status } = verdict;
    if (!Number.isInteger(status) || status < 200 || status > 599) return this.#fail('verdict_invalid');
    const body = verdict.body === undefined ? EMPTY : typeof verdict.body === 'string' ? Buffer.from(verdict.body) : verdict.body;
    this.#outcome = 'responded';
    this.#write(status, verdictResponseHeaders(verdict.headers, this.#context.requestId, body.byteLength), body);
  }

  #forward(verdict: ForwardVerdict<TAudit>): void {
    const request = this.#request;
    const upstream = this.#services.upstreams.resolve(verdict.upstream);
    const target = verdict.path ?? request.url!;
    if (upstream === undefined || typeof target !== 'string' || target.charCodeAt(0) !== 0x2f /* / */) return this.#fail('verdict_invalid');
    const headers = upstreamRequestHeaders(request.rawHeaders, this.#services.settings.headerRules, verdict, this.#origin, this.#context.requestId, request.headers.host);
    if (headers === undefined) return this.#fail('verdict_invalid');
    if (this.#awaitingContinue) this.#response.writeContinue();
    // Errors, even a request undici refuses synchronously, arrive in onResponseError.
    upstream.pool.dispatch(
      {
        path: upstream.basePath + target,
        method: request.method as Dispatcher.HttpMethod,
        headers,
        body: this.#framing === 'body' ? request : null,
        upgrade: this.#context.websocket ? 'websocket' : null,
      },
      this,
    );
  }

  /** Writes a whole response of ours (a verdict's or a failure's). */
  #write(status: number, headers: OutgoingHttpHeaders, body: Uint8Array): void {
    const response = this.#response;
    // After a request whose framing we refused, nothing more on the connection can be trusted to
    // start where we think; a body we will not read is cheaper to close on than to drain.
    if (this.#framing === 'malformed' || (this.#framing === 'body' && !this.#request.complete)) headers.connection = 'close';
    try {
      response.writeHead(status, headers);
      response.end(body);
    } catch (error) {
      // Only a verdict's headers can be refused (an invalid name or value): nothing was sent yet.
      if (response.headersSent) response.destroy();
      else this.#fail('verdict_invalid', error);
    }
  }

  /** Records the failure (the first one wins) and answers with its status, or cuts the response if it has started. */
  #fail(failure: ForwardFailure, cause?: unknown): void {
    if (this.#failure === null) {
      this.#failure = failure;
      this.#cause = cause;
    }
    const response = this.#response;
    if (this.#clientGone || response.destroyed) return;
    const status = FORWARD_FAILURES[this.#failure];
    if (status === null || response.headersSent) {
      response.destroy();
      return;
    }
    const body = FAILURE_BODIES.get(status)!;
    this.#write(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': body.length, 'x-request-id': this.#context.requestId }, body);
  }

  /** 'close' ends every HTTP exchange, complete or not; a tunnel records when it closes instead. */
  readonly #onResponseClose = (): void => {
    if (!this.#response.writableFinished) {
      this.#clientGone = true;
      if (this.#failure === null) this.#failure = 'client_aborted';
      if (!this.#upstreamSettled) this.#controller?.abort(CLIENT_GONE); // not connected yet: onRequestStart aborts
    }
    if (!this.#deciding) this.#record();
  };

  #record(): void {
    if (this.#recorded) return;
    this.#recorded = true;
    const onResult = this.#services.settings.onResult;
    if (onResult === undefined) return;
    const url = this.#request.url ?? '';
    const query = url.indexOf('?');
    const response = this.#response;
    const record: ExchangeRecord<TAudit> = {
      requestId: this.#context.requestId,
      method: this.#request.method ?? '',
      path: query === -1 ? url : url.slice(0, query),
      clientIp: this.#context.clientIp,
      websocket: this.#context.websocket,
      outcome: this.#failure !== null ? 'failed' : this.#outcome,
      status: this.#tunnelled ? 101 : response.headersSent ? response.statusCode : null,
      upstreamStatus: this.#upstreamStatus,
      failure: this.#failure,
      responseBytes: this.#responseBytes,
      requestBytes: this.#requestBytes,
      latencyMs: performance.now() - this.#startedAt,
      audit: this.#audit,
      cause: this.#cause,
    };
    try {
      onResult(record);
    } catch (error) {
      process.emitWarning(`gatehouse data plane: onResult threw for request ${record.requestId}: ${String(error)}`, 'GatehouseWarning');
    }
  }

  // undici's dispatch handler.

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#clientGone) controller.abort(CLIENT_GONE);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx interim responses (103 Early Hints) are not relayed
    this.#upstreamStatus = statusCode;
    try {
      this.#response.writeHead(statusCode, relayedResponseHeaders(headers, this.#context.requestId));
    } catch (error) {
      this.#failure ??= 'upstream_bad_response';
      this.#cause ??= error;
      controller.abort(error as Error);
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#responseBytes += chunk.length;
    if (!this.#response.write(chunk)) {
      controller.pause();
      this.#response.once('drain', (this.#resume ??= () => this.#controller?.resume()));
    }
  }

  onResponseEnd(): void {
    this.#upstreamSettled = true;
    this.#response.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#upstreamSettled = true;
    if (this.#clientGone) return; // our own abort; the record was written at 'close'
    this.#fail(classifyUpstreamError(error), error);
  }

  onRequestUpgrade(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    this.#upstreamSettled = true;
    this.#upstreamStatus = statusCode;
    const upstreamSocket = socket as Socket;
    const upgrade = this.#upgrade;
    if (upgrade === null || !upgrade.websocket || this.#clientGone || upgrade.socket.destroyed) {
      upstreamSocket.destroy();
      return;
    }
    if (!isWebSocketToken(headers.upgrade)) {
      upstreamSocket.destroy();
      return this.#fail('upstream_bad_response');
    }
    // From here the tunnel owns the client socket: the response's 'close' no longer fires.
    this.#tunnelled = true;
    this.#response.detachSocket(upgrade.socket);
    upgrade.socket.write(switchingProtocolsHead(headers, this.#context.requestId));
    const tunnels = this.#services.tunnels;
    const tunnel = new WebSocketTunnel(upgrade.socket, upstreamSocket, this.#services.settings.tunnelIdleMs, (end: TunnelEnd) => {
      tunnels.delete(tunnel);
      this.#failure = end.failure;
      this.#cause = end.cause;
      this.#requestBytes = end.requestBytes;
      this.#responseBytes = end.responseBytes;
      this.#record();
    });
    tunnels.add(tunnel);
    tunnel.start(upgrade.head);
  }
}
