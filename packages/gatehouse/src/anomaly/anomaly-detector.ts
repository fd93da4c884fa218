import type { ReasonCode } from '@gatehouse/verify';
import type { IssuerSecurityEvent } from '../issuer/security-events.ts';
import { createAnomalyWebhook, type AnomalyLog, type AnomalyWebhook, type AnomalyWebhookOptions } from './anomaly-webhook.ts';
import { clientAddressKey } from './client-address-key.ts';
import { DEFAULT_MAX_KEYS, SlidingWindowCounter } from './sliding-window.ts';

/**
 * Anomaly detection on the gateway: sliding windows of refused token verifications per client
 * address (`ip`), per subject and per signing key (`kid`). When a key of a dimension reaches its
 * limit within the window it trips: one security event, one webhook post, and for `ip` and
 * `subject` a block — the gateway answers 429 with Retry-After until it ends. The cooldown starts
 * at `cooldown.baseMs` and doubles with each repeat offence up to `cooldown.maxMs`; an offender
 * quiet for `cooldown.forgetAfterMs` after its last block starts again at the base. Nothing is
 * permanent. A trip empties the key's window, so the next block takes a fresh limit's worth of
 * failures; failures while a key is blocked are not counted (one event per block, not per request).
 *
 * What the gateway passes, and why:
 * - `ip` always: the address the data plane trusts (RequestContext.clientIp). IPv6 counts per /64.
 * - `sub`, `jti` and `kid` only from a token whose signature verified. Unverified claims are
 *   anyone's words: counting them would let an attacker get a victim's subject blocked by sending
 *   garbage with the victim's `sub`. So the subject and kid windows count only verified-but-refused
 *   tokens (expired, not yet valid, wrong audience or issuer, revoked), and a forged or malformed
 *   token counts against its sender's address only.
 * - `jti`: a token presented again within the subject window counts once toward its subject, so
 *   whoever holds one old token of a victim (from a log, say) cannot replay it into a block on the
 *   victim. The address still counts every replay: the address is the one replaying.
 * - The `kid` dimension alerts only. A spike of refusals under one key (tokens signed with a key
 *   that was revoked after a leak, say) is worth an alarm, but blocking the key would turn away
 *   every user whose token it signed; its trip is an `anomaly.detected` event and a webhook post,
 *   and its cooldown only keeps the alarm from repeating.
 *
 * On each request: `check({ ip })` before verifying (a blocked address is answered 429 without
 * spending a signature check), `check({ ip, sub })` once the signature has verified, and
 * `recordFailure(...)` on every refusal. Reasons in UNCOUNTED_REASONS are ignored.
 */
export type AnomalyDimension = 'ip' | 'subject' | 'kid';

/** The dimensions whose trips block; `kid` only alerts. */
export type BlockingDimension = Exclude<AnomalyDimension, 'kid'>;

export interface FailureLimit {
  /** Failures within the window that trip the key (the trip happens on this one). */
  readonly failures: number;
  readonly windowMs: number;
}

export interface AnomalyCooldown {
  /** The first block of a key. */
  readonly baseMs: number;
  /** The longest block: the doubling stops here. */
  readonly maxMs: number;
  /** How long after a block ends a new trip still counts as a repeat offence. */
  readonly forgetAfterMs: number;
}

export type AnomalySecurityEvent = Extract<IssuerSecurityEvent, { type: 'anomaly.blocked' | 'anomaly.detected' }>;

export interface AnomalyDetectorOptions {
  /** Per dimension; a dimension not given keeps its default. */
  readonly limits?: Partial<Readonly<Record<AnomalyDimension, FailureLimit>>>;
  readonly cooldown?: Partial<AnomalyCooldown>;
  /** Sub-buckets per window (the window slides in steps of window / buckets). Default 10. */
  readonly buckets?: number;
  /** Keys held per dimension, in the windows and in the offender records each. Default 100,000. */
  readonly maxKeys?: number;
  /** Records the event; the issuer's services.recordSecurityEvent fits. Not awaited on the request path. */
  readonly recordSecurityEvent: (event: AnomalySecurityEvent) => Promise<void>;
  /** Posts each trip to an https URL. Default: none. */
  readonly webhook?: AnomalyWebhookOptions;
  readonly log?: AnomalyLog;
  /** Milliseconds since the epoch. Default Date.now. */
  readonly clock?: () => number;
}

/** What a configuration reload may change (AnomalyDetector#reconfigure): the rest is fixed at construction. */
export type AnomalySettings = Pick<AnomalyDetectorOptions, 'limits' | 'cooldown' | 'webhook'>;

/** 50 failures a minute from one address, 20 for one subject, 200 under one key. */
export const DEFAULT_ANOMALY_LIMITS: Readonly<Record<AnomalyDimension, FailureLimit>> = {
  ip: { failures: 50, windowMs: 60_000 },
  subject: { failures: 20, windowMs: 60_000 },
  kid: { failures: 200, windowMs: 60_000 },
};

/** 1 minute, doubling to 15 minutes; forgotten an hour after the last block ends. */
export const DEFAULT_ANOMALY_COOLDOWN: AnomalyCooldown = {
  baseMs: 60_000,
  maxMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

/**
 * Refusals that say nothing about the client: `keys_unavailable` is the gateway failing to load
 * keys (counting it would block every client during a JWKS outage), and `token_missing` is no
 * attempt at all (a browser before sign-in, a health check on a protected route).
 */
export const UNCOUNTED_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>(['keys_unavailable', 'token_missing']);

export interface FailedVerification {
  /** The client address, as the data plane gives it. */
  readonly ip: string;
  /** Only from a token whose signature verified. */
  readonly sub?: string | null;
  /** Only from a token whose signature verified. */
  readonly jti?: string | null;
  /** Only from a token whose signature verified. */
  readonly kid?: string | null;
  readonly reason: ReasonCode;
}

/** What a request is checked against: its address and, once its token's signature verified, the subject. */
export interface CheckedRequest {
  readonly ip: string;
  readonly sub?: string | null;
}

export interface AnomalyBlock {
  /** Whole seconds until the block ends, at least 1: the Retry-After value. */
  readonly retryAfterSeconds: number;
  readonly dimension: BlockingDimension;
  readonly key: string;
}

/** A key reaching its limit. */
export interface AnomalyTrip {
  readonly dimension: AnomalyDimension;
  /** The address (IPv6: its /64), subject or kid. */
  readonly key: string;
  /** Failures in the window when it tripped: the limit. */
  readonly failures: number;
  readonly windowSeconds: number;
  /** 1 for a first offence, 2 for a repeat within forgetAfterMs of the last block's end, … */
  readonly offence: number;
  /** When the block (or, for `kid`, the alert's quiet period) ends, in ms since the epoch. */
  readonly until: number;
  /** False for `kid`: an alert only. */
  readonly blocked: boolean;
}

interface Offender {
  readonly until: number;
  readonly offences: number;
}

/** Everything AnomalySettings decide, built and validated before any of it is used. */
interface Configured {
  readonly ip: DimensionState;
  readonly subject: DimensionState;
  readonly kid: DimensionState;
  readonly presented: SlidingWindowCounter;
  readonly cooldown: AnomalyCooldown;
  readonly webhook: AnomalyWebhook | undefined;
}

interface DimensionState {
  readonly dimension: AnomalyDimension;
  readonly limit: FailureLimit;
  readonly window: SlidingWindowCounter;
  /** Keys that tripped, kept until forgotten or pushed out (oldest trip first) past maxKeys. */
  readonly offenders: Map<string, Offender>;
}

const NO_TRIPS: readonly AnomalyTrip[] = Object.freeze([]);

export class AnomalyDetector {
  #ip: DimensionState;
  #subject: DimensionState;
  #kid: DimensionState;
  /** (sub, jti) pairs counted toward their subject within its window. */
  #presented: SlidingWindowCounter;
  #cooldown: AnomalyCooldown;
  readonly #maxKeys: number;
  readonly #buckets: number | undefined;
  readonly #recordSecurityEvent: AnomalyDetectorOptions['recordSecurityEvent'];
  #webhook: AnomalyWebhook | undefined;
  readonly #log: AnomalyLog | undefined;
  readonly #clock: () => number;
  /** Event writes and webhook posts not yet settled. */
  readonly #pending = new Set<Promise<void>>();

  constructor(options: AnomalyDetectorOptions) {
    this.#maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    this.#buckets = options.buckets;
    this.#recordSecurityEvent = options.recordSecurityEvent;
    this.#log = options.log;
    this.#clock = options.clock ?? Date.now;
    const configured = this.#configure(options, undefined);
    this.#ip = configured.ip;
    this.#subject = configured.subject;
    this.#kid = configured.kid;
    this.#presented = configured.presented;
    this.#cooldown = configured.cooldown;
    this.#webhook = configured.webhook;
  }

  /**
   * Takes new limits, cooldown and webhook (a configuration reload) without forgetting what was
   * counted: a dimension whose window is unchanged keeps its counts, blocks in force keep their
   * end, and past offences still make the next one a repeat. A dimension whose window changed
   * counts afresh (counts in sub-buckets of the old width cannot be re-bucketed). A new cooldown
   * applies from the next trip; posts under way finish on the old webhook. Throws on invalid
   * settings, having changed nothing.
   */
  reconfigure(settings: AnomalySettings): void {
    const configured = this.#configure(settings, { ip: this.#ip, subject: this.#subject, kid: this.#kid, presented: this.#presented });
    this.#ip = configured.ip;
    this.#subject = configured.subject;
    this.#kid = configured.kid;
    this.#presented = configured.presented;
    this.#cooldown = configured.cooldown;
    this.#webhook = configured.webhook;
  }

  /** Validates the settings and builds what they decide, reusing the running windows and offenders where they still fit. */
  #configure(settings: AnomalySettings, running: Pick<Configured, 'ip' | 'subject' | 'kid' | 'presented'> | undefined): Configured {
    const cooldown: AnomalyCooldown = { ...DEFAULT_ANOMALY_COOLDOWN, ...settings.cooldown };
    if (!(cooldown.baseMs > 0 && cooldown.maxMs >= cooldown.baseMs && cooldown.forgetAfterMs >= 0)) {
      throw new RangeError('anomaly cooldown needs 0 < baseMs <= maxMs and forgetAfterMs >= 0');
    }
    const counter = (windowMs: number, kept: SlidingWindowCounter | undefined): SlidingWindowCounter =>
      kept !== undefined && kept.windowMs === windowMs ? kept : new SlidingWindowCounter({ windowMs, buckets: this.#buckets, maxKeys: this.#maxKeys });
    const state = (dimension: AnomalyDimension, kept: DimensionState | undefined): DimensionState => {
      const limit = settings.limits?.[dimension] ?? DEFAULT_ANOMALY_LIMITS[dimension];
      if (!(Number.isInteger(limit.failures) && limit.failures >= 1)) throw new RangeError(`anomaly limit for ${dimension}: failures must be a positive integer`);
      return { dimension, limit, window: counter(limit.windowMs, kept?.window), offenders: kept?.offenders ?? new Map() };
    };
    const ip = state('ip', running?.ip);
    const subject = state('subject', running?.subject);
    const kid = state('kid', running?.kid);
    const presented = counter(subject.limit.windowMs, running?.presented);
    const webhook = settings.webhook === undefined ? undefined : createAnomalyWebhook(settings.webhook, this.#log);
    return { ip, subject, kid, presented, cooldown, webhook };
  }

  /** Whether the request's address or subject is blocked now; the longer block when both are. */
  check(request: CheckedRequest): AnomalyBlock | undefined {
    const now = this.#clock();
    // Most of the time nobody has tripped: no key to compute.
    const byAddress = this.#ip.offenders.size === 0 ? undefined : this.#blocked(this.#ip, clientAddressKey(request.ip), now);
    const sub = request.sub;
    const bySubject = sub === undefined || sub === null || sub === '' || this.#subject.offenders.size === 0 ? undefined : this.#blocked(this.#subject, sub, now);
    if (byAddress === undefined) return bySubject;
    if (bySubject === undefined) return byAddress;
    return bySubject.retryAfterSeconds > byAddress.retryAfterSeconds ? bySubject : byAddress;
  }

  /** One refused verification. Returns the keys it tripped (usually none); the events and posts go out in the background. */
  recordFailure(failure: FailedVerification): readonly AnomalyTrip[] {
    if (UNCOUNTED_REASONS.has(failure.reason)) return NO_TRIPS;
    const now = this.#clock();
    const trips: AnomalyTrip[] = [];
    const count = (state: DimensionState, key: string): void => {
      const trip = this.#count(state, key, now);
      if (trip !== undefined) {
        trips.push(trip);
        this.#announce(trip, failure);
      }
    };
    count(this.#ip, clientAddressKey(failure.ip));
    const { sub, jti, kid } = failure;
    if (sub !== undefined && sub !== null && sub !== '') {
      if (jti === undefined || jti === null || this.#presented.add(`${sub}\u0000${jti}`, now) === 1) count(this.#subject, sub);
    }
    if (kid !== undefined && kid !== null && kid !== '') count(this.#kid, kid);
    return trips.length === 0 ? NO_TRIPS : trips;
  }

  /** Settles when every event write and webhook post started so far has (for shutdown, and tests). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  #blocked(state: DimensionState, key: string, now: number): AnomalyBlock | undefined {
    const offender = state.offenders.get(key);
    if (offender === undefined) return undefined;
    if (offender.until > now) return { retryAfterSeconds: Math.max(1, Math.ceil((offender.until - now) / 1000)), dimension: state.dimension as BlockingDimension, key };
    if (now >= offender.until + this.#cooldown.forgetAfterMs) state.offenders.delete(key);
    return undefined;
  }

  /** Counts one failure for the key; the trip when it reaches the limit. */
  #count(state: DimensionState, key: string, now: number): AnomalyTrip | undefined {
    const previous = state.offenders.get(key);
    if (previous !== undefined && previous.until > now) return undefined;
    if (state.window.add(key, now) < state.limit.failures) return undefined;
    state.window.delete(key);
    const offences = previous !== undefined && now < previous.until + this.#cooldown.forgetAfterMs ? previous.offences + 1 : 1;
    const until = now + Math.min(this.#cooldown.baseMs * 2 ** Math.min(offences - 1, 40), this.#cooldown.maxMs);
    // Re-inserted so that Map order is trip order; past maxKeys the oldest trip is forgotten. (Finding
    // it can cost O(maxKeys) in V8, but only once per trip, and a trip takes a limit's worth of failures.)
    state.offenders.delete(key);
    if (state.offenders.size >= this.#maxKeys) state.offenders.delete(state.offenders.keys().next().value as string);
    state.offenders.set(key, { until, offences });
    return {
      dimension: state.dimension,
      key,
      failures: state.limit.failures,
      windowSeconds: state.limit.windowMs / 1000,
      offence: offences,
      until,
      blocked: state.dimension !== 'kid',
    };
  }

  /** The trip's one security event and one webhook post, neither awaited. */
  #announce(trip: AnomalyTrip, failure: FailedVerification): void {
    const details = { dimension: trip.dimension, key: trip.key, failures: trip.failures, windowSeconds: trip.windowSeconds, reason: failure.reason, offence: trip.offence };
    // The columns name the offender: the address that tripped (not its /64) or the subject.
    const event: AnomalySecurityEvent = trip.blocked
      ? {
          type: 'anomaly.blocked',
          severity: 'warning',
          ...(trip.dimension === 'ip' ? { ip: failure.ip } : { subject: trip.key }),
          details: { ...details, blockedUntil: trip.until },
        }
      : { type: 'anomaly.detected', severity: 'warning', details };
    this.#track(
      Promise.resolve(event)
        .then((recorded) => this.#recordSecurityEvent(recorded))
        .catch((error: unknown) => this.#log?.error({ err: error, securityEvent: event }, 'could not record an anomaly event')),
    );
    if (this.#webhook !== undefined) {
      this.#track(
        this.#webhook.post({
          type: event.type,
          dimension: trip.dimension,
          key: trip.key,
          count: trip.failures,
          window_seconds: trip.windowSeconds,
          blocked_until: trip.blocked ? new Date(trip.until).toISOString() : null,
        }),
      );
    }
  }

  #track(task: Promise<unknown>): void {
    const settled = task.then(
      () => undefined,
      () => undefined,
    );
    this.#pending.add(settled);
    void settled.finally(() => this.#pending.delete(settled));
  }
}
