/**
 * The exchange as undici's dispatch handler, driven directly with a stand-in controller and
 * response: what no end-to-end test can show without a clock — that the upstream read is paused
 * exactly while the client cannot take more, and aborted when the client leaves.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { IncomingMessage, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, it } from 'node:test';
import type { Dispatcher } from 'undici';
import { resolveDataPlaneOptions } from '../../src/gateway/forward/data-plane-options.ts';
import { Exchange } from '../../src/gateway/forward/exchange.ts';
import type { ExchangeRecord } from '../../src/gateway/forward/exchange-record.ts';
import { Upstreams } from '../../src/gateway/forward/upstreams.ts';
import type { WebSocketTunnel } from '../../src/gateway/forward/websocket-tunnel.ts';

class StandInController implements Dispatcher.DispatchController {
  readonly calls: string[] = [];
  abortReason: Error | null = null;
  get aborted(): boolean {
    return this.abortReason !== null;
  }
  get paused(): boolean {
    return this.calls.at(-1) === 'pause';
  }
  get reason(): Error | null {
    return this.abortReason;
  }
  abort(reason: Error): void {
    this.calls.push('abort');
    this.abortReason = reason;
  }
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
}

/** The parts of a ServerResponse the exchange uses; `accepting` is what write() returns. */
class StandInResponse extends EventEmitter {
  accepting = true;
  headersSent = false;
  statusCode = 200;
  destroyed = false;
  writableFinished = false;
  readonly written: Buffer[] = [];
  writeHead(status: number): this {
    this.statusCode = status;
    this.headersSent = true;
    return this;
  }
  write(chunk: Buffer): boolean {
    this.written.push(chunk);
    return this.accepting;
  }
  end(): this {
    this.writableFinished = true;
    return this;
  }
  destroy(): this {
    this.destroyed = true;
    return this;
  }
}

function exchangeWith(response: StandInResponse, records: ExchangeRecord[]): Exchange<unknown> {
  const settings = resolveDataPlaneOptions({ decide: () => ({ kind: 'respond', status: 204 }), onResult: (record) => records.push(record) });
  const request = new IncomingMessage(new Socket());
  request.method = 'GET';
  request.url = '/stream';
  return new Exchange({ settings, upstreams: new Upstreams(settings.pools), tunnels: new Set<WebSocketTunnel>() }, request, response as unknown as ServerResponse, null, false);
}

describe('the exchange as a dispatch handler', () => {
  it('pauses the upstream read when the client response is full, and resumes it on drain', () => {
    const response = new StandInResponse();
    const controller = new StandInController();
    const exchange = exchangeWith(response, []);
    exchange.onRequestStart(controller);
    exchange.onResponseStart(controller, 200, {});

    exchange.onResponseData(controller, Buffer.from('first'));
    assert.deepEqual(controller.calls, [], 'no pause while the client keeps up');

    response.accepting = false;
    exchange.onResponseData(controller, Buffer.from('second'));
    assert.deepEqual(controller.calls, ['pause']);

    response.accepting = true;
    response.emit('drain');
    assert.deepEqual(controller.calls, ['pause', 'resume']);
    assert.deepEqual(Buffer.concat(response.written).toString(), 'firstsecond');
  });

  it('aborts the upstream request when the client leaves mid-response, and records client_aborted once', () => {
    const response = new StandInResponse();
    const controller = new StandInController();
    const records: ExchangeRecord[] = [];
    const exchange = exchangeWith(response, records);
    exchange.onRequestStart(controller);
    exchange.onResponseStart(controller, 200, {});
    exchange.onResponseData(controller, Buffer.from('partial'));

    response.emit('close');
    assert.deepEqual(controller.calls, ['abort']);
    // undici then reports its abort as an error; it must not turn into a second failure or record.
    exchange.onResponseError(controller, controller.abortReason!);

    assert.equal(records.length, 1);
    assert.equal(records[0]!.failure, 'client_aborted');
    assert.equal(records[0]!.upstreamStatus, 200);
    assert.equal(records[0]!.responseBytes, 7);
  });

  it('aborts a request that reaches a connection only after its client left', () => {
    const response = new StandInResponse();
    const controller = new StandInController();
    const exchange = exchangeWith(response, []);
    // Dispatched but still queued in the pool (no controller yet) when the client goes.
    response.emit('close');

    exchange.onRequestStart(controller);
    assert.deepEqual(controller.calls, ['abort']);
  });
});
