import { hkdfSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { announceChange, keyLifecycleLock, ReplicaSync, type ChangeTopic, type ReplicaSyncOptions } from '../cluster/index.ts';
import type { GatehouseConfig } from '../config/index.ts';
import { KeyManager } from '../keys/key-manager.ts';
import { loadMasterKey } from '../keys/master-key.ts';
import { StoreKeyRepository } from '../keys/store-key-repository.ts';
import { RevocationState } from '../revocation/revocation-state.ts';
import { Revoker } from '../revocation/revoker.ts';
import { openStore, type Store, type StoreLocation } from '../store/index.ts';
import { createAccessTokenMinter } from '../tokens/mint-access-token.ts';
import { ClientRegistry } from './clients/client-registry.ts';
import { createIssuerApp } from './create-issuer-app.ts';
import { runHousekeeping } from './housekeeping.ts';
import { issuerUrls } from './issuer-endpoints.ts';
import type { IssuerServices } from './issuer-services.ts';
import { SECURITY_EVENTS } from './security-events.ts';

export interface OpenIssuerOptions {
  /** Milliseconds since the epoch. Default Date.now. */
  readonly clock?: () => number;
  readonly logger?: Logger;
  /** Where GATEHOUSE_MASTER_KEY is read. Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** An already open store (tests, or a process that runs several parts on one store). */
  readonly store?: Store;
  /** How often keys are advanced, other replicas' revocations picked up and expired data purged. Default 10 s. */
  readonly tickMs?: number;
  /** Several replicas on one PostgreSQL database: see IssuerClusterOptions. */
  readonly cluster?: IssuerClusterOptions;
  /** Monotonic milliseconds for the age of the revocation lists (fail-closed grace). Default performance.now. */
  readonly monotonicClock?: () => number;
}

/**
 * How this issuer keeps pace with other replicas on the same PostgreSQL store between ticks
 * (docs/reference/scale-out.md). Nothing of it applies to SQLite.
 */
export interface IssuerClusterOptions {
  /** NOTIFY the other replicas after each revocation and key change. Default true on a PostgreSQL store. */
  readonly announce?: boolean;
  /**
   * Where to LISTEN for the other replicas' changes. Default: the configured store URL, when it is
   * PostgreSQL. `false`: nowhere, the tick alone (one-shot commands; tests that drive ticks by
   * hand). An object: that connection (and schema, for a store opened with one), with the
   * listener's backoff and heartbeat.
   */
  readonly listen?: false | ReplicaSyncOptions['listen'];
  /** While the listener is down, how often revocations are polled instead. Default 1 s. */
  readonly pollWhileDisconnectedMs?: number;
}

export interface OpenIssuer {
  readonly services: IssuerServices;
  readonly app: FastifyInstance;
  /**
   * One run of what the timer does every `tickMs`: keys advanced (scheduled rotation, retirement),
   * other replicas' revocations picked up, expired data purged. Failures are logged, not thrown.
   */
  tick(): Promise<void>;
  /** What follows the other replicas' notifications; undefined when this issuer does not listen. */
  readonly replicaSync: ReplicaSync | undefined;
  close(): Promise<void>;
}

export function storeUrl(location: StoreLocation): string {
  return location.dialect === 'sqlite' ? `sqlite:${location.filename}` : location.connectionString;
}

/**
 * Assembles the issuer from a loaded configuration: store (migrated), master key, key manager
 * (first key generated on first start), revocation lists loaded into memory, token minter, and
 * the fastify app. Nothing listens yet; the caller decides where.
 */
export async function openIssuer(config: GatehouseConfig, options: OpenIssuerOptions = {}): Promise<OpenIssuer> {
  const clock = options.clock ?? Date.now;
  const log = options.logger;
  const store = options.store ?? (await openStore(storeUrl(config.store)));
  const ownsStore = options.store === undefined;
  // Key events are recorded (and announced) without holding up the key manager; close() waits for the writes.
  const eventWrites = new Set<Promise<unknown>>();
  const inBackground = (write: Promise<unknown>): void => {
    const tracked = write.finally(() => eventWrites.delete(tracked));
    eventWrites.add(tracked);
  };
  const announce = store.dialect === 'postgres' && options.cluster?.announce !== false
    ? (topic: ChangeTopic) => announceChange(store.db, topic).catch((error: unknown) => log?.warn({ err: error }, 'cluster: could not notify the other replicas'))
    : undefined;
  try {
    const masterKey = await loadMasterKey({ env: options.env, ...(config.keys.masterKeyFile === null ? {} : { keyFile: config.keys.masterKeyFile }) });
    const keys = await KeyManager.open({
      repository: new StoreKeyRepository(store.signingKeys, keyLifecycleLock(store)),
      masterKey: masterKey.key,
      algorithm: config.keys.algorithm,
      policy: { rotateEverySeconds: config.keys.rotateEverySeconds },
      clock,
      onEvent: (event) => {
        log?.info({ event }, event.type);
        inBackground(
          store.securityEvents
            .append({ at: event.at, type: event.type, severity: SECURITY_EVENTS[event.type], details: { kid: event.kid, alg: event.alg } })
            .catch((error: unknown) => log?.error({ err: error }, 'could not record a key event')),
        );
        if (announce !== undefined) inBackground(announce('keys'));
      },
    });
    const revocations = new RevocationState(options.monotonicClock === undefined ? {} : { monotonicClock: options.monotonicClock });
    await revocations.load(store.revocations, clock());
    const services: IssuerServices = {
      config,
      urls: issuerUrls(config.issuer),
      store,
      keys,
      clients: new ClientRegistry(config.clients, store.clients),
      cookieKey: Buffer.from(hkdfSync('sha256', masterKey.key.export(), Buffer.alloc(0), 'gatehouse issuer cookies v1', 32)),
      mintAccessToken: createAccessTokenMinter({ issuer: config.issuer, keys, defaultTtlSeconds: config.tokens.accessTtlSeconds, clock }),
      revocations,
      revoker: new Revoker(store, revocations, clock, announce && (() => announce('revocations'))),
      recordSecurityEvent: async (event) => {
        log?.warn({ securityEvent: event }, event.type);
        await store.securityEvents.append({ ...event, at: clock() });
      },
      clock,
    };
    const tick = async (): Promise<void> => {
      // Each step on its own: a failing store query must not stop the others.
      await keys.tick().catch((error: unknown) => log?.error({ err: error }, 'key rotation tick failed'));
      await revocations.catchUp(store.revocations).catch((error: unknown) => log?.error({ err: error }, 'revocation catch-up failed'));
      await runHousekeeping(services, clock()).catch((error: unknown) => log?.error({ err: error }, 'housekeeping failed'));
    };
    let ticking: Promise<void> | undefined;
    // A slow store must not stack runs up: a tick that comes while one runs is skipped.
    const timer = setInterval(() => {
      ticking ??= tick().finally(() => {
        ticking = undefined;
      });
    }, options.tickMs ?? 10_000);
    timer.unref();
    const app = createIssuerApp(services, log === undefined ? {} : { logger: log });
    const listen = listenLocation(config, store, options.cluster);
    const replicaSync = listen === undefined ? undefined : new ReplicaSync({
      listen,
      catchUpRevocations: () => revocations.catchUp(store.revocations),
      reloadKeys: () => keys.tick(),
      ...(log === undefined ? {} : { logger: log }),
      ...(options.cluster?.pollWhileDisconnectedMs === undefined ? {} : { pollWhileDisconnectedMs: options.cluster.pollWhileDisconnectedMs }),
    });
    replicaSync?.start();
    return {
      services,
      app,
      tick,
      replicaSync,
      async close() {
        clearInterval(timer);
        await ticking;
        await replicaSync?.close();
        await app.close();
        await Promise.all(eventWrites);
        if (ownsStore) await store.close();
      },
    };
  } catch (error) {
    await Promise.all(eventWrites);
    if (ownsStore) await store.close().catch(() => {});
    throw error;
  }
}

/** Where this issuer LISTENs, if anywhere: see IssuerClusterOptions.listen. */
function listenLocation(config: GatehouseConfig, store: Store, cluster: IssuerClusterOptions | undefined): ReplicaSyncOptions['listen'] | undefined {
  if (store.dialect !== 'postgres' || cluster?.listen === false) return undefined;
  if (cluster?.listen !== undefined) return cluster.listen;
  // A store handed in on another URL (tests) has no listener unless one is named.
  return config.store.dialect === 'postgres' ? { connectionString: config.store.connectionString } : undefined;
}
