import type { KeyObject } from 'node:crypto';
import { importTrustedKey, LocalKeySet, type TrustedKey } from '@gatehouse/verify';
import { ServerError } from '../errors.ts';
import { activeSigningKey } from './active-signing-key.ts';
import { addKey } from './add-key.ts';
import { advanceKeys, keyStatesAt } from './advance-keys.ts';
import { generateSigningKey } from './generate-signing-key.ts';
import type { JwksDocument, KeyEvent, KeyRecord, KeyTransition, NewSigningKey } from './key-record.ts';
import type { KeyRepository } from './key-repository.ts';
import { resolveKeyPolicy, type KeyPolicy } from './key-policy.ts';
import { publishedJwks } from './published-jwks.ts';
import { revokeKey } from './revoke-key.ts';
import { revokedKeyIds } from './revoked-key-ids.ts';
import { DEFAULT_SIGNING_ALGORITHM, type SigningAlgorithm } from './signing-algorithms.ts';
import { unsealSigningKey, type SigningKey, type SigningKeySource } from './unseal-signing-key.ts';

export interface KeyManagerOptions {
  readonly repository: KeyRepository;
  readonly masterKey: KeyObject;
  /** Algorithm of the keys it generates. Default ES256; existing keys keep theirs. */
  readonly algorithm?: SigningAlgorithm;
  readonly policy?: Partial<KeyPolicy>;
  /** Milliseconds since the epoch. Default Date.now. */
  readonly clock?: () => number;
  /** Default generateSigningKey; tests inject pre-generated keys. */
  readonly generateKey?: (alg: SigningAlgorithm, masterKey: KeyObject) => Promise<NewSigningKey>;
  /** Called once per lifecycle event this replica persisted (key.created, key.activated, ...). */
  readonly onEvent?: (event: KeyEvent) => void;
}

/** Everything derived from the records at one instant, swapped in as a whole. */
interface KeyView {
  readonly records: readonly KeyRecord[];
  readonly jwks: JwksDocument;
  readonly trusted: ReadonlyMap<string, TrustedKey>;
  readonly signing: SigningKey | undefined;
  readonly revoked: ReadonlySet<string>;
}

const EMPTY_VIEW: KeyView = { records: [], jwks: { keys: [] }, trusted: new Map(), signing: undefined, revoked: new Set() };

/**
 * The I/O shell around the pure key lifecycle: loads records from the repository, advances them on
 * each tick, generates and seals keys when the lifecycle asks, persists the changes, and serves the
 * current signing key, the JWKS and a LocalKeySet for in-process verifiers. Operations run one at a
 * time; readers see the last complete view, never a half-applied one.
 *
 * Ticks should come well within the policy's leeway (default tick 10 s, leeway 300 s): another
 * replica may retire this one's signing key, which it keeps using until its next tick.
 */
export class KeyManager implements SigningKeySource {
  /** The published keys, for in-process verifiers; replaced on every change, so a revoke reaches them at once. */
  readonly keySet = new LocalKeySet();
  readonly policy: KeyPolicy;
  readonly #repository: KeyRepository;
  readonly #masterKey: KeyObject;
  readonly #algorithm: SigningAlgorithm;
  readonly #clock: () => number;
  readonly #generateKey: (alg: SigningAlgorithm, masterKey: KeyObject) => Promise<NewSigningKey>;
  readonly #onEvent: ((event: KeyEvent) => void) | undefined;
  #view: KeyView = EMPTY_VIEW;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(options: KeyManagerOptions) {
    this.policy = resolveKeyPolicy(options.policy);
    this.#repository = options.repository;
    this.#masterKey = options.masterKey;
    this.#algorithm = options.algorithm ?? DEFAULT_SIGNING_ALGORITHM;
    this.#clock = options.clock ?? Date.now;
    this.#generateKey = options.generateKey ?? generateSigningKey;
    this.#onEvent = options.onEvent;
  }

  /** Loads the keys and runs a first tick: on first start, that generates and activates the first key. */
  static async open(options: KeyManagerOptions): Promise<KeyManager> {
    const manager = new KeyManager(options);
    await manager.tick();
    return manager;
  }

  signingKey(): SigningKey {
    const signing = this.#view.signing;
    if (signing === undefined) throw new ServerError('no_signing_key', 'there is no active signing key');
    return signing;
  }

  /** The public JWKS document (pending, active and retiring keys). */
  jwks(): JwksDocument {
    return this.#view.jwks;
  }

  /** Every key record as of the last tick (sealed material prints redacted), for `gatehouse keys list`. */
  records(): readonly KeyRecord[] {
    return this.#view.records;
  }

  /** The key revocation list: for verifiers that may still hold a revoked key in a cached JWKS. */
  isKeyRevoked(kid: string): boolean {
    return this.#view.revoked.has(kid);
  }

  /** Reloads the records (another replica may have changed them), advances them and applies what is due. */
  tick(): Promise<readonly KeyEvent[]> {
    return this.#serially(async () => {
      const advance = (records: readonly KeyRecord[], now: number): KeyTransition => advanceKeys(records, now, this.policy);
      // Most ticks (and every reload on another replica's notice) change nothing: they read without
      // taking the repository's lock, and only a step with something to write takes it and reads again.
      const records = await this.#repository.list();
      const now = this.#clock();
      const transition = advance(records, now);
      if (transition.changed.length > 0 || transition.generate !== undefined) return this.#apply(advance);
      this.#swap(await this.#buildView(records, now));
      return [];
    });
  }

  /** On-demand rotation: a new key, published now, signing after the publish lead. Resolves the new record. */
  async rotate(): Promise<KeyRecord> {
    let added: KeyRecord | undefined;
    await this.#serially(() =>
      this.#apply(async (records, now) => {
        const advanced = advanceKeys(records, now, this.policy);
        const step = addKey(advanced.records, await this.#generateKey(this.#algorithm, this.#masterKey), this.#clock(), this.policy);
        added = step.added;
        return { ...step, events: [...advanced.events, ...step.events] };
      }),
    );
    return added!;
  }

  /** Emergency revoke: the key leaves the JWKS and the key set at once. Throws key_not_found. */
  async revoke(kid: string): Promise<KeyRecord> {
    let revoked: KeyRecord | undefined;
    await this.#serially(() =>
      this.#apply((records, now) => {
        const step = revokeKey(records, kid, now, this.policy);
        revoked = step.revoked;
        return step;
      }),
    );
    return revoked!;
  }

  /** Ticks every `intervalMs` (unref'd: it never keeps the process alive). Returns the stop function. */
  startTicking(intervalMs = 10_000, onError: (error: unknown) => void = () => {}): () => void {
    const timer = setInterval(() => {
      this.tick().catch(onError);
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  #serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs one lifecycle step on fresh records, generates a key if the step asks for one, builds the
   * new view (unsealing a new signing key) before anything is written — so a master key that does
   * not open the key leaves the store and the running view as they were — then persists and swaps.
   */
  async #apply(step: (records: readonly KeyRecord[], now: number) => KeyTransition | Promise<KeyTransition>): Promise<readonly KeyEvent[]> {
    // With several replicas, the whole step runs under the repository's lock (see KeyRepository.exclusively).
    const run = async (repository: KeyRepository): Promise<{ view: KeyView; events: readonly KeyEvent[] }> => {
      const before = await repository.list();
      let transition = await step(before, this.#clock());
      if (transition.generate !== undefined) {
        const key = await this.#generateKey(this.#algorithm, this.#masterKey);
        const added = addKey(transition.records, key, this.#clock(), this.policy);
        transition = { ...added, events: [...transition.events, ...added.events] };
      }
      const now = this.#clock();
      const view = await this.#buildView(transition.records, now);

      const previous = new Map(before.map((record) => [record.kid, record]));
      const persisted = new Set<string>();
      let conflict = false;
      for (const record of transition.records) {
        const old = previous.get(record.kid);
        if (old === record) continue;
        if (old === undefined) await repository.insert(record);
        else if (!(await repository.update(record, old.state))) {
          conflict = true; // another replica moved this key first; its view wins, below
          continue;
        }
        persisted.add(record.kid);
      }
      // Events of a conflicting change were the other replica's to report.
      const events = transition.events.filter((event) => persisted.has(event.kid));
      return { view: conflict ? await this.#buildView(await repository.list(), now) : view, events };
    };
    // Swapped in and reported only once the step is committed.
    const { view, events } = await (this.#repository.exclusively?.(run) ?? run(this.#repository));
    this.#swap(view);
    for (const event of events) this.#onEvent?.(event);
    return events;
  }

  async #buildView(records: readonly KeyRecord[], now: number): Promise<KeyView> {
    const jwks = publishedJwks(records, now);
    const trusted = new Map<string, TrustedKey>();
    for (const jwk of jwks.keys) {
      // Reuse the TrustedKey of a key already trusted: verifiers keep cached tokens only while
      // the key object they were verified with is still the one in the set.
      trusted.set(jwk.kid, this.#view.trusted.get(jwk.kid) ?? importTrustedKey(jwk, { algorithms: [jwk.alg] }));
    }
    let signing: SigningKey | undefined;
    try {
      const active = activeSigningKey(records, now);
      signing = this.#view.signing?.kid === active.kid ? this.#view.signing : await unsealSigningKey(active, this.#masterKey);
    } catch (error) {
      if (!(error instanceof ServerError && error.code === 'no_signing_key')) throw error;
    }
    return { records: keyStatesAt(records, now), jwks, trusted, signing, revoked: new Set(revokedKeyIds(records)) };
  }

  #swap(view: KeyView): void {
    const previous = this.#view;
    this.#view = view;
    const sameKeys = previous.trusted.size === view.trusted.size && [...view.trusted].every(([kid, key]) => previous.trusted.get(kid) === key);
    if (!sameKeys) this.keySet.replace([...view.trusted.values()]);
  }
}
