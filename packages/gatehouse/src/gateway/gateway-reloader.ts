import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { Environment, GatehouseConfig } from '../config/index.ts';
import { createConfigReloader, type ConfigReloader, type ConfigSnapshot } from '../config-reload/index.ts';
import type { RouteTokenVerifier } from './authn/index.ts';
import { buildGatewayState, type GatewayState } from './pipeline/gateway-state.ts';

export interface GatewayReloaderOptions {
  readonly path: string;
  /** Where `${VAR}` reads. Default process.env. */
  readonly env?: Environment;
  /** Watch the file and reload on SIGHUP. */
  readonly watch: boolean;
  readonly initial: ConfigSnapshot<GatewayState>;
  /** A token verifier for the configuration's trust and leeway; rejects on a trust JWKS file it cannot use. */
  tokenVerifierFor(config: GatehouseConfig): Promise<RouteTokenVerifier>;
  /** After each swap, for what lives beside the state (the anomaly detector). Must not throw. */
  onSwap?(next: ConfigSnapshot<GatewayState>, previous: ConfigSnapshot<GatewayState>): void;
  readonly logger?: Logger | undefined;
}

/**
 * Settings the issuer in this process read when it opened. A gateway reload does not reach it, so
 * their changes wait for a restart. (Routes, trust, tokens.leeway and anomaly reload at the
 * gateway; the settings of RESTART_ONLY_SETTINGS refuse the reload as a whole.)
 */
const ISSUER_SETTINGS: Readonly<Record<string, (config: GatehouseConfig) => unknown>> = Object.freeze({
  clients: (config) => config.clients,
  'keys.algorithm': (config) => config.keys.algorithm,
  'keys.rotateEvery': (config) => config.keys.rotateEverySeconds,
  'tokens.accessTtl': (config) => config.tokens.accessTtlSeconds,
  'tokens.refreshIdle': (config) => config.tokens.refreshIdleSeconds,
  'tokens.refreshMax': (config) => config.tokens.refreshMaxSeconds,
  // The gateway takes the new leeway at once; the issuer's endpoints keep theirs.
  'tokens.leeway': (config) => config.tokens.leewaySeconds,
});

/**
 * The gateway's hot reload: routes, policies, trust and tokens.leeway are one swapped state
 * (GatewayState). A new token verifier is built only when trust or the leeway changed — it starts
 * with an empty token cache and its own JWKS clients — and it is ready enough to be correct when
 * the state is swapped in: local JWKS files are read (a missing or invalid one fails the reload,
 * naming the trust entry and the file, and the running state stays), remote JWKS load lazily, as
 * at start. The replaced verifier is closed after the swap, once the verifications it had started
 * have their answers; close() waits for those closes too.
 */
export function createGatewayReloader(options: GatewayReloaderOptions): ConfigReloader<GatewayState> {
  const { logger, tokenVerifierFor } = options;
  const retiring = new Set<Promise<void>>();

  async function build(next: GatehouseConfig): Promise<GatewayState> {
    // Reloads run one at a time: the running snapshot is the one this state will replace.
    const running = reloader.current();
    if (sameTokenSettings(next, running.config)) return buildGatewayState(next, running.state.tokens);
    const tokens = await tokenVerifierFor(next);
    try {
      const state = buildGatewayState(next, tokens);
      // Warms the remote JWKS clients without waiting for them, as at start.
      void tokens.ready();
      return state;
    } catch (error) {
      await tokens.close();
      throw error;
    }
  }

  function retire(tokens: RouteTokenVerifier): void {
    const closed = tokens.close().catch((error: unknown) => logger?.error({ err: error }, 'closing the replaced token verifier failed'));
    retiring.add(closed);
    void closed.finally(() => retiring.delete(closed));
  }

  const reloader = createConfigReloader<GatewayState>({
    path: options.path,
    ...(options.env === undefined ? {} : { env: options.env }),
    build,
    initial: options.initial,
    watch: options.watch,
    signal: options.watch ? 'SIGHUP' : null,
    onSwap(next, previous, warnings) {
      const tokensReplaced = next.state.tokens !== previous.state.tokens;
      logger?.info({ routes: next.config.routes.length, trustedIssuers: next.config.trust.length, tokensReplaced, warnings: warnings.length }, 'gateway configuration reloaded');
      if (tokensReplaced) retire(previous.state.tokens);
      options.onSwap?.(next, previous);
      const waiting = Object.entries(ISSUER_SETTINGS)
        .filter(([, read]) => !isDeepStrictEqual(read(next.config), read(previous.config)))
        .map(([setting]) => setting);
      if (waiting.length > 0) logger?.warn({ settings: waiting }, `the issuer applies ${waiting.join(', ')} on the next restart; the gateway applied this reload`);
    },
    onRejected(error) {
      logger?.error({ err: error }, 'gateway configuration reload rejected; the running configuration stays');
    },
    onWatchError(error) {
      logger?.error({ err: error }, 'configuration file watch failed; reload on SIGHUP or through the API');
    },
  });

  return {
    current: () => reloader.current(),
    reload: () => reloader.reload(),
    async close() {
      await reloader.close();
      await Promise.all(retiring);
    },
  };
}

/** Whether a configuration's verifier fits another: the same trusted issuers, exactly, and the same leeway. */
function sameTokenSettings(a: GatehouseConfig, b: GatehouseConfig): boolean {
  return a.tokens.leewaySeconds === b.tokens.leewaySeconds && isDeepStrictEqual(a.trust, b.trust);
}
