/**
 * The gateway's answer to a blocked offender: 429 with Retry-After in whole seconds and a generic
 * body that names neither the dimension nor the key (the same for an address and a subject), in
 * the shape of the data plane's `respond` verdict (gateway/forward/verdict.ts).
 */
export interface TooManyRequestsResponse {
  readonly status: 429;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** Built once: every 429 shares it. */
const BODY: Uint8Array = Buffer.from(JSON.stringify({ error: 'too_many_requests' }));

export function tooManyRequests(retryAfterSeconds: number): TooManyRequestsResponse {
  // Retry-After is delta-seconds (RFC 9110 §10.2.3): a non-negative integer; never 0, or a client would retry at once.
  const seconds = Number.isFinite(retryAfterSeconds) ? Math.max(1, Math.ceil(retryAfterSeconds)) : 1;
  return {
    status: 429,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': String(seconds) },
    body: BODY,
  };
}
