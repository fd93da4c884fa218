import { hkdfSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
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
}

export interface OpenIssuer {
  readonly services: IssuerServices;
  readonly app: FastifyInstance;
  /**
   * One run of what the timer does every `tickMs`: keys advanced (scheduled rotation, retirement),
   * other replicas' revocations picked up, expired data purged. Failures are logged, not thrown.
   */
  tick(): Promise<void>;
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
  // Key events are recorded without holding up the key manager; close() waits for the writes.
  const eventWrites = new Set<Promise<unknown>>();
  try {
    const masterKey = await loadMasterKey({ env: options.env, ...(config.keys.masterKeyFile === null ? {} : { keyFile: config.keys.masterKeyFile }) });
    const keys = await KeyManager.open({
      repository: new StoreKeyRepository(store.signingKeys),
      masterKey: masterKey.key,
      algorithm: config.keys.algorithm,
      policy: { rotateEverySeconds: config.keys.rotateEverySeconds },
      clock,
      onEvent: (event) => {
        log?.info({ event }, event.type);
        const write = store.securityEvents
          .append({ at: event.at, type: event.type, severity: SECURITY_EVENTS[event.type], details: { kid: event.kid, alg: event.alg } })
          .catch((error: unknown) => log?.error({ err: error }, 'could not record a key event'))
          .finally(() => eventWrites.delete(write));
        eventWrites.add(write);
      },
    });
    const revocations = new RevocationState();
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
      revoker: new Revoker(store, revocations, clock),
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
    return {
      services,
      app,
      tick,
      async close() {
        clearInterval(timer);
        await ticking;
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
