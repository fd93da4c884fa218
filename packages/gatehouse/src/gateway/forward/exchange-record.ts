import type { ForwardFailure } from './forward-failures.ts';

/**
 * What happened to one request, given to onResult exactly once when it is over (for HTTP: the
 * response finished or was cut; for a WebSocket: the tunnel closed). For the audit line and the
 * metrics; nothing here is sent to the client.
 */
export interface ExchangeRecord<TAudit = unknown> {
  readonly requestId: string;
  readonly method: string;
  /** The request-target's path, without the query string (queries may carry secrets). */
  readonly path: string;
  readonly clientIp: string;
  readonly websocket: boolean;
  /**
   * `responded`: the decide hook answered (a refusal, usually). `forwarded`: the upstream's answer
   * was relayed in full (a WebSocket: its tunnel ran and closed cleanly). `failed`: `failure` says why.
   */
  readonly outcome: 'forwarded' | 'responded' | 'failed';
  /** The status the client received; null when none was sent. 101 for a tunnel. */
  readonly status: number | null;
  /** The upstream's status; null when it was not contacted or did not answer. */
  readonly upstreamStatus: number | null;
  readonly failure: ForwardFailure | null;
  /** Response body bytes written to the client (a tunnel: bytes upstream → client). */
  readonly responseBytes: number;
  /** A tunnel: bytes client → upstream. Null for HTTP (the body is streamed by undici, uncounted). */
  readonly requestBytes: number | null;
  /** From the request's arrival to the end of the exchange. */
  readonly latencyMs: number;
  /** The verdict's `audit` value; undefined when there was no verdict. */
  readonly audit: TAudit | undefined;
  /** The internal error behind a failure, for the operator's log only. */
  readonly cause: unknown;
}
