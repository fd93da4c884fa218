import { readBoundedBody } from './bounded-body.ts';
import { checkEndpointUrl } from './endpoint-url.ts';
import { GatehouseError } from './errors.ts';
import { parseJsonObject } from './strict-json.ts';
import { describeError, monotonicNow, nonNegative, positive } from './request-support.ts';

export interface ClientCredentialsOptions {
  /** The issuer's token endpoint (Gatehouse: `<issuer>/oauth2/token`). https, or http to loopback. */
  readonly tokenEndpoint: string | URL;
  readonly clientId: string;
  /** Sent as client_secret_basic (RFC 6749 §2.3.1); never logged, never in an error or event. */
  readonly clientSecret: string;
  /** RFC 8707 `resource`: at Gatehouse, the audience the token is for (one of the client's `audiences`). */
  readonly resource?: string;
  /** Space-separated or a list. Default: none sent (Gatehouse then grants every scope of the client). */
  readonly scope?: string | readonly string[];
  /**
   * Refresh when this many seconds of the token's life are left, or at 80 % of its life, whichever
   * comes first. Default 60.
   */
  readonly refreshBeforeSeconds?: number;
  /** Per token request, body included. Default 5,000 ms. */
  readonly timeoutMs?: number;
  /** Largest accepted response body, enforced while reading. Default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** Milliseconds, used only for intervals. Default a monotonic clock. */
  readonly clock?: () => number;
  /** Default globalThis.fetch. */
  readonly fetch?: typeof globalThis.fetch;
  readonly onEvent?: (event: TokenSourceEvent) => void;
}

/** What a token source reports, for metrics and logs. Never carries the secret or a token. */
export type TokenSourceEvent =
  | { readonly type: 'token.fetched'; readonly url: string; readonly clientId: string; readonly expiresInSeconds: number | undefined }
  /** A token request failed. While the cached token is still valid it keeps being served (see token()). */
  | {
      readonly type: 'token.fetch_failed';
      readonly url: string;
      readonly clientId: string;
      readonly code: TokenRequestErrorCode;
      readonly status: number | undefined;
      readonly oauthError: string | undefined;
      readonly message: string;
    };

export interface ClientCredentialsSource {
  /**
   * An access token for calling another service. Answers from the cache while the token is
   * fresh; past the refresh point and while it is still valid, answers from the cache and
   * refreshes in the background; without a valid token, waits for a new one and rejects with a
   * TokenRequestError if that fails — never with an expired token. Concurrent callers share one
   * request.
   */
  token(): Promise<string>;
  /** `Bearer <token>`, for an Authorization header. */
  authorization(): Promise<string>;
  /**
   * Drops the cached token (say, a service answered 401 because it was revoked): the next token()
   * gets one requested after this call. A request in flight still answers its callers but is not
   * cached.
   */
  invalidate(): void;
  /** Aborts the request in flight and drops the token; token() rejects afterwards. */
  close(): Promise<void>;
}

export type TokenRequestErrorCode = 'token_request_failed' | 'token_response_invalid';

/** Why no token could be obtained: a GatehouseError with the HTTP status and OAuth error when there are any. */
export class TokenRequestError extends GatehouseError {
  declare readonly code: TokenRequestErrorCode;
  /** The token endpoint's HTTP status; undefined when it never answered (network, timeout, closed). */
  readonly status: number | undefined;
  /** The OAuth `error` code of the answer (RFC 6749 §5.2), e.g. `invalid_client`, when it sent a well-formed one. */
  readonly oauthError: string | undefined;
  /** Its `error_description`, when well-formed (printable ASCII, at most 256 characters). */
  readonly oauthErrorDescription: string | undefined;

  constructor(code: TokenRequestErrorCode, message: string, details: { status?: number; oauthError?: string; oauthErrorDescription?: string; cause?: unknown } = {}) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TokenRequestError';
    this.status = details.status;
    this.oauthError = details.oauthError;
    this.oauthErrorDescription = details.oauthErrorDescription;
  }
}

export const CLIENT_CREDENTIALS_DEFAULTS = {
  refreshBeforeSeconds: 60,
  timeoutMs: 5_000,
  maxBodyBytes: 64 * 1024,
} as const;

/** Share of a token's lifetime after which it is refreshed. */
const REFRESH_AT_SHARE = 0.8;
/** A token counts as expired this long before its end (at most a tenth of its lifetime), so it does not expire in transit. */
const EXPIRY_MARGIN_MS = 5_000;
/** After a failed background refresh, the next one waits this long (the cached token is still valid meanwhile). */
const BACKGROUND_RETRY_MS = 5_000;

/** RFC 6750 §2.1 b64token: what may follow "Bearer " in a header. Anything else is refused, not sent. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** RFC 6749 §5.2: the characters of `error` and `error_description`. */
const OAUTH_ERROR_TEXT = /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/;

interface HeldToken {
  readonly value: string;
  readonly obtainedAt: number;
  readonly refreshAt: number;
  readonly usableUntil: number;
}

/**
 * A client-credentials token source (OAuth 2.1 §4.2 / RFC 6749 §4.4) for one client, audience and
 * scope. Options are checked here, once; the secret is kept only as the prepared Basic header,
 * inside this closure.
 */
export function createClientCredentialsSource(options: ClientCredentialsOptions): ClientCredentialsSource {
  const url = checkEndpointUrl(options.tokenEndpoint, 'tokenEndpoint');
  const { clientId, clientSecret } = options;
  if (typeof clientId !== 'string' || clientId.length === 0) throw new GatehouseError('invalid_option', '"clientId" must be a non-empty string');
  if (typeof clientSecret !== 'string' || clientSecret.length === 0) throw new GatehouseError('invalid_option', '"clientSecret" must be a non-empty string');
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  const scope = scopeOption(options.scope);
  if (scope !== undefined) form.set('scope', scope);
  if (options.resource !== undefined) {
    if (typeof options.resource !== 'string' || options.resource.length === 0 || options.resource.includes('#')) {
      throw new GatehouseError('invalid_option', '"resource" must be a non-empty string without a fragment');
    }
    form.set('resource', options.resource);
  }
  const body = form.toString();
  const refreshBeforeMs = nonNegative('refreshBeforeSeconds', options.refreshBeforeSeconds ?? CLIENT_CREDENTIALS_DEFAULTS.refreshBeforeSeconds) * 1000;
  const timeoutMs = positive('timeoutMs', options.timeoutMs ?? CLIENT_CREDENTIALS_DEFAULTS.timeoutMs);
  const maxBodyBytes = positive('maxBodyBytes', options.maxBodyBytes ?? CLIENT_CREDENTIALS_DEFAULTS.maxBodyBytes);
  for (const name of ['clock', 'fetch', 'onEvent'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw new GatehouseError('invalid_option', `"${name}" must be a function`);
  }
  // Intervals only: a monotonic clock, so a wall-clock step (NTP, VM restore) cannot stretch a token's life.
  const clock = options.clock ?? monotonicNow;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const onEvent = options.onEvent;
  const headers = {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding.
    authorization: `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`,
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };

  let held: HeldToken | undefined;
  let inFlight: Promise<string> | undefined;
  /** Bumped by invalidate() and close(): a request started before does not fill the cache. */
  let generation = 0;
  let retryBackgroundAt = Number.NEGATIVE_INFINITY;
  let closed = false;
  const closer = new AbortController();

  function emit(event: TokenSourceEvent): void {
    try {
      onEvent?.(event);
    } catch {
      // An observer's bug must not break token requests.
    }
  }

  /** Joins the request in flight, or starts one. */
  function request(): Promise<string> {
    if (inFlight !== undefined) return inFlight;
    const startedIn = generation;
    const requesting = requestToken(clock()).then(
      (obtained) => {
        if (startedIn === generation) held = obtained.held;
        emit({ type: 'token.fetched', url, clientId, expiresInSeconds: obtained.expiresInSeconds });
        return obtained.value;
      },
      (error: unknown) => {
        retryBackgroundAt = clock() + BACKGROUND_RETRY_MS;
        const known = error instanceof TokenRequestError ? error : new TokenRequestError('token_request_failed', `POST ${url}: unexpected error: ${describeError(error)}`, { cause: error });
        emit({ type: 'token.fetch_failed', url, clientId, code: known.code, status: known.status, oauthError: known.oauthError, message: known.message });
        throw known;
      },
    ).finally(() => {
      if (inFlight === requesting) inFlight = undefined;
    });
    inFlight = requesting;
    return requesting;
  }

  async function requestToken(startedAt: number): Promise<{ value: string; held: HeldToken | undefined; expiresInSeconds: number | undefined }> {
    const signal = AbortSignal.any([closer.signal, AbortSignal.timeout(timeoutMs)]);
    const aborted = (cause: unknown) =>
      signal.reason instanceof TokenRequestError
        ? signal.reason
        : failed(`POST ${url} timed out after ${timeoutMs} ms`, { cause });
    let response: Response;
    let text: Buffer | undefined;
    try {
      // A token endpoint that moved is a configuration change for a person to make, not one to
      // follow with the client's credentials.
      response = await fetchImpl(url, { method: 'POST', headers, body, redirect: 'error', signal });
      text = await readBoundedBody(response, maxBodyBytes);
    } catch (cause) {
      if (signal.aborted) throw aborted(cause);
      throw failed(`POST ${url} failed: ${describeError(cause)}`, { cause });
    }
    if (response.status !== 200) {
      const problem = text === undefined ? {} : oauthProblem(text);
      const said = problem.oauthError === undefined ? '' : ` ${problem.oauthError}${problem.oauthErrorDescription === undefined ? '' : ` (${problem.oauthErrorDescription})`}`;
      throw failed(`POST ${url} answered ${response.status}${said}`, { status: response.status, ...problem });
    }
    if (text === undefined) throw invalid(`POST ${url}: the answer exceeds ${maxBodyBytes} bytes`);
    const parsed = parseJsonObject(text);
    if (!parsed.ok) throw invalid(`POST ${url}: the answer is not a JSON object (${parsed.fault})`);
    const answer = parsed.value;
    const value = Object.hasOwn(answer, 'access_token') ? answer.access_token : undefined;
    if (typeof value !== 'string' || !B64TOKEN.test(value)) {
      throw invalid(`POST ${url}: the answer has ${value === undefined ? 'no access_token' : 'an access_token that cannot be sent as a Bearer token'}`);
    }
    const tokenType = Object.hasOwn(answer, 'token_type') ? answer.token_type : undefined;
    if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
      throw invalid(`POST ${url}: token_type is ${JSON.stringify(tokenType ?? null)}, expected "Bearer"`);
    }
    const expiresIn = expiresInSeconds(Object.hasOwn(answer, 'expires_in') ? answer.expires_in : undefined);
    if (expiresIn === null) throw invalid(`POST ${url}: expires_in must be a positive number of seconds`);
    // Without expires_in the lifetime is unknown: the token is handed to the callers waiting for
    // it and not kept, rather than guessed at and sent after it expired.
    return { value, expiresInSeconds: expiresIn, held: expiresIn === undefined ? undefined : holdToken(value, startedAt, expiresIn) };
  }

  /** Times count from when the request was sent: the issuer's clock started after that. */
  function holdToken(value: string, obtainedAt: number, expiresIn: number): HeldToken {
    const lifetimeMs = expiresIn * 1000;
    const refreshAfterMs = Math.max(0, Math.min(lifetimeMs * REFRESH_AT_SHARE, lifetimeMs - refreshBeforeMs));
    const usableForMs = lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 10);
    return { value, obtainedAt, refreshAt: obtainedAt + refreshAfterMs, usableUntil: obtainedAt + usableForMs };
  }

  const source: ClientCredentialsSource = {
    async token() {
      if (closed) throw closedError();
      const current = held;
      if (current !== undefined) {
        const now = clock();
        // A negative age means an injected clock went backwards: the token is due, not fresh.
        const ageKnown = now >= current.obtainedAt;
        if (ageKnown && now < current.refreshAt) return current.value;
        if (ageKnown && now < current.usableUntil) {
          if (inFlight === undefined && !(now < retryBackgroundAt)) request().catch(() => undefined);
          return current.value;
        }
      }
      return request();
    },
    async authorization() {
      return `Bearer ${await source.token()}`;
    },
    invalidate() {
      generation += 1;
      held = undefined;
      inFlight = undefined;
      retryBackgroundAt = Number.NEGATIVE_INFINITY;
    },
    async close() {
      if (closed) return;
      closed = true;
      generation += 1;
      held = undefined;
      const pending = inFlight;
      closer.abort(closedError());
      await pending?.catch(() => undefined);
    },
  };
  return Object.freeze(source);
}

function scopeOption(scope: ClientCredentialsOptions['scope']): string | undefined {
  if (scope === undefined) return undefined;
  const list = typeof scope === 'string' ? scope.split(' ').filter((s) => s.length > 0) : scope;
  if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string' && SCOPE_TOKEN.test(s))) {
    throw new GatehouseError('invalid_option', '"scope" must be RFC 6749 scope tokens, space-separated or as a list');
  }
  return list.join(' ');
}

/** undefined when absent; null when present but not a positive number of seconds. */
function expiresInSeconds(value: unknown): number | undefined | null {
  if (value === undefined) return undefined;
  // Some servers send it as a string of digits.
  const seconds = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}

/** The `error` and `error_description` of an error answer, when they are well-formed; nothing else of it. */
function oauthProblem(text: Buffer): { oauthError?: string; oauthErrorDescription?: string } {
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return {};
  const pick = (name: string, max: number): string | undefined => {
    const value = Object.hasOwn(parsed.value, name) ? parsed.value[name] : undefined;
    return typeof value === 'string' && value.length <= max && OAUTH_ERROR_TEXT.test(value) ? value : undefined;
  };
  const oauthError = pick('error', 128);
  if (oauthError === undefined) return {};
  const oauthErrorDescription = pick('error_description', 256);
  return oauthErrorDescription === undefined ? { oauthError } : { oauthError, oauthErrorDescription };
}

/** application/x-www-form-urlencoded (RFC 6749 Appendix B): space as "+", everything but A–Z a–z 0–9 * - . _ escaped. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice('v='.length);
}

function failed(message: string, details: { status?: number; oauthError?: string; oauthErrorDescription?: string; cause?: unknown } = {}): TokenRequestError {
  return new TokenRequestError('token_request_failed', message, details);
}

function invalid(message: string): TokenRequestError {
  return new TokenRequestError('token_response_invalid', message);
}

function closedError(): TokenRequestError {
  return new TokenRequestError('token_request_failed', 'token source closed');
}

