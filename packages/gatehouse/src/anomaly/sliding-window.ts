/**
 * Counts events per key within the last `windowMs`, in bounded memory and O(1) per event.
 *
 * Each key has a ring of `buckets` counters, one per W / buckets of time; a key's count is the sum
 * of the ring. The approximation: a count covers the current (partial) sub-bucket and the
 * `buckets - 1` before it, so an event is never counted once it is W old, and stops counting
 * somewhere between W - W / buckets and W after it happened (with the default 10 sub-buckets, a
 * 60 s window forgets an event after 54 to 60 s). Counts can only err low, never high.
 *
 * At most `maxKeys` keys are held: a new key past that forgets the key whose latest event is the
 * oldest (least recently counted), so a caller rotating keys (addresses) cannot grow memory —
 * it can only make the oldest keys' counts be forgotten, and those are the ones nearest to expiry.
 * The rings and the recency list live in typed arrays indexed by slot, grown by doubling up to
 * maxKeys, so a key costs its Map entry plus 4 bytes per sub-bucket and about two dozen more,
 * with no object of its own, and every operation is O(buckets) at worst.
 */
export interface SlidingWindowOptions {
  /** The window W, in milliseconds. */
  readonly windowMs: number;
  /** Sub-buckets per window: the window slides in steps of W / buckets. Default 10. */
  readonly buckets?: number;
  /** Keys held at most. Default 100,000. */
  readonly maxKeys?: number;
}

export const DEFAULT_WINDOW_BUCKETS = 10;
export const DEFAULT_MAX_KEYS = 100_000;

/** Slots allocated up front; the arrays double from here as keys arrive. */
const INITIAL_SLOTS = 1024;
/** The end of the recency list. */
const NONE = -1;

export class SlidingWindowCounter {
  readonly windowMs: number;
  readonly #buckets: number;
  readonly #bucketMs: number;
  readonly #maxKeys: number;
  /** key → slot. Only looked up, never iterated: the recency order is the list below. */
  readonly #slots = new Map<string, number>();
  /** slot → its key, to forget the key when its slot is taken. */
  #keys: (string | undefined)[] = [];
  /**
   * The slots in use, most recently counted first, as a doubly linked list (NONE ends it). A Map
   * used as a queue would be simpler, but V8 leaves deleted entries at its front until a rehash,
   * so finding its oldest key costs O(maxKeys) when keys are being rotated.
   */
  #newer: Int32Array;
  #older: Int32Array;
  #mostRecent = NONE;
  #leastRecent = NONE;
  /** Slots given back by delete, reused before the arrays grow. */
  readonly #freeSlots: number[] = [];
  /** Slot s owns counts[s × buckets, (s + 1) × buckets): a ring indexed by sub-bucket number mod buckets. */
  #counts: Uint32Array;
  /** The sum of each slot's ring. */
  #totals: Uint32Array;
  /** The sub-bucket number (time / bucketMs, rounded down) of each slot's newest sub-bucket. */
  #newest: Float64Array;
  #capacity: number;
  #used = 0;

  constructor(options: SlidingWindowOptions) {
    const buckets = options.buckets ?? DEFAULT_WINDOW_BUCKETS;
    const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    if (!(Number.isFinite(options.windowMs) && options.windowMs > 0)) throw new RangeError('windowMs must be a positive number of milliseconds');
    if (!(Number.isInteger(buckets) && buckets >= 1 && buckets <= 1000)) throw new RangeError('buckets must be an integer from 1 to 1000');
    if (!(Number.isInteger(maxKeys) && maxKeys >= 1 && maxKeys < 2 ** 31)) throw new RangeError('maxKeys must be a positive integer');
    this.windowMs = options.windowMs;
    this.#buckets = buckets;
    this.#bucketMs = options.windowMs / buckets;
    this.#maxKeys = maxKeys;
    this.#capacity = Math.min(maxKeys, INITIAL_SLOTS);
    this.#counts = new Uint32Array(this.#capacity * buckets);
    this.#totals = new Uint32Array(this.#capacity);
    this.#newest = new Float64Array(this.#capacity);
    this.#newer = new Int32Array(this.#capacity);
    this.#older = new Int32Array(this.#capacity);
  }

  /** Keys currently held (some may count 0 until they are forgotten or counted again). */
  get size(): number {
    return this.#slots.size;
  }

  /** Counts one event for `key` at `now` (ms) and returns the key's count in the window, this one included. */
  add(key: string, now: number): number {
    const bucket = Math.floor(now / this.#bucketMs);
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = this.#allocate(key, bucket);
    } else {
      this.#unlink(slot);
      this.#advance(slot, bucket);
    }
    this.#linkAsMostRecent(slot);
    // A clock that stepped back counts into the newest sub-bucket rather than rewriting the past.
    this.#counts[slot * this.#buckets + ringIndex(this.#newest[slot]!, this.#buckets)]! += 1;
    return (this.#totals[slot]! += 1);
  }

  /** The key's count in the window ending at `now`; 0 for a key not held. */
  count(key: string, now: number): number {
    const slot = this.#slots.get(key);
    if (slot === undefined) return 0;
    this.#advance(slot, Math.floor(now / this.#bucketMs));
    return this.#totals[slot]!;
  }

  /** Forgets the key's events. */
  delete(key: string): void {
    const slot = this.#slots.get(key);
    if (slot === undefined) return;
    this.#slots.delete(key);
    this.#keys[slot] = undefined;
    this.#unlink(slot);
    this.#freeSlots.push(slot);
  }

  /** A zeroed, unlinked slot for `key` whose newest sub-bucket is `bucket`: a freed one, a new one, or the least recently counted key's. */
  #allocate(key: string, bucket: number): number {
    let slot = this.#freeSlots.pop();
    if (slot === undefined && this.#slots.size >= this.#maxKeys) {
      slot = this.#leastRecent;
      this.#unlink(slot);
      this.#slots.delete(this.#keys[slot]!);
    }
    if (slot === undefined) {
      if (this.#used === this.#capacity) this.#grow();
      slot = this.#used++;
    }
    this.#slots.set(key, slot);
    this.#keys[slot] = key;
    this.#counts.fill(0, slot * this.#buckets, (slot + 1) * this.#buckets);
    this.#totals[slot] = 0;
    this.#newest[slot] = bucket;
    return slot;
  }

  #grow(): void {
    const capacity = Math.min(this.#maxKeys, this.#capacity * 2);
    this.#counts = grown(this.#counts, new Uint32Array(capacity * this.#buckets));
    this.#totals = grown(this.#totals, new Uint32Array(capacity));
    this.#newest = grown(this.#newest, new Float64Array(capacity));
    this.#newer = grown(this.#newer, new Int32Array(capacity));
    this.#older = grown(this.#older, new Int32Array(capacity));
    this.#capacity = capacity;
  }

  #unlink(slot: number): void {
    const newer = this.#newer[slot]!;
    const older = this.#older[slot]!;
    if (newer === NONE) this.#mostRecent = older;
    else this.#older[newer] = older;
    if (older === NONE) this.#leastRecent = newer;
    else this.#newer[older] = newer;
  }

  #linkAsMostRecent(slot: number): void {
    this.#newer[slot] = NONE;
    this.#older[slot] = this.#mostRecent;
    if (this.#mostRecent === NONE) this.#leastRecent = slot;
    else this.#newer[this.#mostRecent] = slot;
    this.#mostRecent = slot;
  }

  /** Moves the slot's ring forward to `bucket`, clearing the sub-buckets that fell out: at most `buckets` steps. */
  #advance(slot: number, bucket: number): void {
    const newest = this.#newest[slot]!;
    const steps = bucket - newest;
    if (steps <= 0) return;
    const base = slot * this.#buckets;
    if (steps >= this.#buckets) {
      this.#counts.fill(0, base, base + this.#buckets);
      this.#totals[slot] = 0;
    } else {
      for (let step = 1; step <= steps; step++) {
        const index = base + ringIndex(newest + step, this.#buckets);
        this.#totals[slot]! -= this.#counts[index]!;
        this.#counts[index] = 0;
      }
    }
    this.#newest[slot] = bucket;
  }
}

function grown<T extends Uint32Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function ringIndex(bucket: number, buckets: number): number {
  // Non-negative for a clock before the epoch too.
  return ((bucket % buckets) + buckets) % buckets;
}
