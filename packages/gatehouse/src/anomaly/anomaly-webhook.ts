import { LOOPBACK_HOSTS } from '../config/values/urls.ts';

/**
 * The optional anomaly webhook: one JSON POST per block or alert, fire-and-forget. It never holds
 * up a request and never throws: a slow receiver is cut off after `timeoutMs`, and a failure or a
 * non-2xx answer is logged (with the URL's origin only — the path of a webhook URL is often its
 * secret). While `maxInFlight` posts are pending, further ones are dropped and logged: a flood of
 * blocks must not become a flood of outgoing connections. The security event is recorded either way.
 */
export interface AnomalyWebhookOptions {
  /** An https URL; http only to a loopback host (localhost, 127.0.0.1, [::1]), as everywhere in the configuration. */
  readonly url: string;
  /** Milliseconds before a post is aborted. Default 3,000. */
  readonly timeoutMs?: number;
  /** Posts pending at once, at most. Default 8. */
  readonly maxInFlight?: number;
  /** Default: the global fetch. Tests inject one. */
  readonly fetch?: typeof fetch;
}

/** The JSON body posted; `blocked_until` is an ISO 8601 time, null for a kid alert (nothing is blocked). */
export interface AnomalyWebhookBody {
  readonly type: string;
  readonly dimension: string;
  readonly key: string;
  readonly count: number;
  readonly window_seconds: number;
  readonly blocked_until: string | null;
}

/** Where failures go: a pino logger fits. */
export interface AnomalyLog {
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 3000;
export const DEFAULT_WEBHOOK_MAX_IN_FLIGHT = 8;

export interface AnomalyWebhook {
  /** Starts the post and returns at once; the promise settles when it is done and never rejects. */
  post(body: AnomalyWebhookBody): Promise<void>;
}

/** Validates the options when called: a URL that is not https (or loopback http) is refused here, not at the first alert. */
export function createAnomalyWebhook(options: AnomalyWebhookOptions, log?: AnomalyLog): AnomalyWebhook {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new TypeError('the anomaly webhook URL is not an absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new TypeError('the anomaly webhook URL must be https (http only for localhost, 127.0.0.1 or [::1])');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const maxInFlight = options.maxInFlight ?? DEFAULT_WEBHOOK_MAX_IN_FLIGHT;
  if (!(Number.isInteger(timeoutMs) && timeoutMs >= 1)) throw new RangeError('the anomaly webhook timeoutMs must be a positive integer');
  if (!(Number.isInteger(maxInFlight) && maxInFlight >= 1)) throw new RangeError('the anomaly webhook maxInFlight must be a positive integer');
  const href = url.href;
  const origin = url.origin;
  const fetchImpl = options.fetch ?? fetch;
  let inFlight = 0;

  async function send(body: AnomalyWebhookBody): Promise<void> {
    const response = await fetchImpl(href, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Nothing is read from the answer; cancelling frees the connection.
    await response.body?.cancel().catch(() => undefined);
    if (!response.ok) log?.warn({ webhook: origin, status: response.status, dimension: body.dimension }, 'the anomaly webhook answered with an error status');
  }

  return {
    post(body) {
      if (inFlight >= maxInFlight) {
        log?.warn({ webhook: origin, dimension: body.dimension, inFlight }, 'anomaly webhook post dropped: too many pending');
        return Promise.resolve();
      }
      inFlight++;
      // Called inside a promise chain, so that a fetch that throws synchronously is caught too.
      return Promise.resolve(body)
        .then(send)
        .catch((error: unknown) => log?.warn({ webhook: origin, dimension: body.dimension, err: error }, 'the anomaly webhook post failed'))
        .finally(() => {
          inFlight--;
        });
    },
  };
}
