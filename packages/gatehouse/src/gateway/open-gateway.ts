import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { AnomalyDetector, type AnomalyCooldown, type AnomalyDimension, type AnomalyWebhookOptions, type FailureLimit } from '../anomaly/index.ts';
import { createDecisionLog, type DecisionLog } from '../audit/decision-log.ts';
import type { Environment, GatehouseConfig } from '../config/index.ts';
import { createConfigReloader, type ConfigReloader, type ConfigSnapshot, type ReloadResult } from '../config-reload/index.ts';
import type { IssuerServices } from '../issuer/issuer-services.ts';
import { createGatewayMetrics, type GatewayMetrics } from '../metrics/gateway-metrics.ts';
import { createAssertionCache } from './assertion/assertion-cache.ts';
import { createUpstreamAssertionMinter } from './assertion/mint-upstream-assertion.ts';
import { createGatewayAuthnChain, createRouteTokenVerifier } from './authn/index.ts';
import { createControlApp } from './control-app.ts';
import { createDataPlane, type DataPlane } from './data-plane.ts';
import { FORWARD_FAILURES, type DataPlaneOptions } from './forward/index.ts';
import { createDecidePipeline } from './pipeline/decide-request.ts';
import { DECISION_LINE_REASONS } from './pipeline/gateway-audit.ts';
import { buildGatewayState, type GatewayState } from './pipeline/gateway-state.ts';
import { createDecisionRecorder } from './pipeline/record-decision.ts';

export interface OpenGatewayOptions {
  /** The issuer running in this process: its keys sign assertions and verify tokens, its revocation lists are consulted, its store keeps security events. */
  readonly issuer: IssuerServices;
  /** The file `config` was loaded from: enables reload() (and, unless `watch` is false, reload on change and SIGHUP). */
  readonly configPath?: string;
  /** Watch configPath and reload on SIGHUP. Default true when configPath is given. */
  readonly watch?: boolean;
  /** Where `${VAR}` reads on reload. Default process.env. */
  readonly env?: Environment;
  /** Milliseconds since the epoch. Default the issuer's clock. */
  readonly clock?: () => number;
  readonly logger?: Logger;
  /** Where decision lines go (a pino destination or anything with write(line)). Default stdout. */
  readonly decisionLogDestination?: DestinationStream;
  readonly anomaly?: {
    readonly limits?: Partial<Readonly<Record<AnomalyDimension, FailureLimit>>>;
    readonly cooldown?: Partial<AnomalyCooldown>;
    readonly webhook?: AnomalyWebhookOptions;
  };
  /** Timeouts, sizes, pools, trusted forwarders: see DataPlaneOptions. */
  readonly dataPlane?: Omit<DataPlaneOptions, 'decide' | 'onResult'>;
  /** Node.js process metrics on /metrics. Default true. */
  readonly processMetrics?: boolean;
}

export interface GatewayAddresses {
  /** e.g. http://127.0.0.1:8080 */
  readonly gateway: string;
  readonly control: string;
}

export interface OpenGateway {
  /** The data plane; its server listens once listen() is called. */
  readonly dataPlane: DataPlane;
  /** The control listener: GET /metrics, /healthz, /readyz. */
  readonly controlApp: FastifyInstance;
  readonly metrics: GatewayMetrics;
  readonly decisionLog: DecisionLog;
  /** The running configuration and the state built from it. */
  current(): ConfigSnapshot<GatewayState>;
  /** Binds config.listen.gateway and config.listen.control (port 0: any free port); resolves with the bound addresses. */
  listen(): Promise<GatewayAddresses>;
  /** Reloads configPath: a bad file is rejected and the running configuration keeps serving. */
  reload(): Promise<ReloadResult>;
  close(): Promise<void>;
}

/**
 * Assembles the gateway (DESIGN.md "The parts"): the data plane with the decide pipeline
 * (pipeline/decide-request.ts), the token verifier on the issuer's keys and revocation lists, the
 * assertion minter, anomaly detection, the decision log and metrics, and the control listener.
 * Routes and policies are the hot-reloadable state; everything else is built once.
 */
export async function openGateway(config: GatehouseConfig, options: OpenGatewayOptions): Promise<OpenGateway> {
  const { issuer, logger } = options;
  const clock = options.clock ?? issuer.clock;
  const initialState = buildGatewayState(config);
  const reloader = options.configPath === undefined ? undefined : createGatewayReloader(config, initialState, options);
  const current = reloader === undefined ? staticSnapshot(config, initialState) : () => reloader.current();

  const metrics = createGatewayMetrics({
    reasons: [...DECISION_LINE_REASONS, ...Object.keys(FORWARD_FAILURES)],
    signingKeyActivatedAt: () => activeSince(issuer),
    clock,
    defaultMetrics: options.processMetrics,
  });
  const decisionLog = createDecisionLog({ clock, ...(options.decisionLogDestination === undefined ? {} : { destination: options.decisionLogDestination }) });
  const tokens = await createRouteTokenVerifier({
    issuer: config.issuer,
    ownKeys: issuer.keys.keySet,
    trust: config.trust,
    isRevoked: issuer.revocations.isRevoked,
    leewaySeconds: config.tokens.leewaySeconds,
    clock,
    onJwksEvent: (event, from) => metrics.recordJwksEvent(event, from),
  });
  const anomalies = new AnomalyDetector({
    ...options.anomaly,
    recordSecurityEvent: (event) => issuer.recordSecurityEvent(event),
    ...(logger === undefined ? {} : { log: logger }),
    clock,
  });
  const decide = createDecidePipeline({
    state: () => current().state,
    authenticators: createGatewayAuthnChain(tokens),
    anomalies,
    assertions: createAssertionCache(createUpstreamAssertionMinter({ issuer: config.issuer, keys: issuer.keys, clock }), issuer.keys, clock),
    clock,
    observeTokenVerify: (seconds) => metrics.observeTokenVerify(seconds),
  });
  const dataPlane = createDataPlane({ ...options.dataPlane, decide, onResult: createDecisionRecorder(decisionLog, metrics) });

  let listening = false;
  let keysReady = false;
  void tokens.ready().then(() => {
    keysReady = true;
  });
  const controlApp = createControlApp({ metrics, ready: () => listening && keysReady });

  let closing: Promise<void> | undefined;
  return {
    dataPlane,
    controlApp,
    metrics,
    decisionLog,
    current,
    async listen() {
      const { gateway, control } = config.listen;
      await new Promise<void>((resolve, reject) => {
        dataPlane.server.once('error', reject);
        dataPlane.server.listen(gateway.port, gateway.host, () => {
          dataPlane.server.off('error', reject);
          resolve();
        });
      });
      await controlApp.listen({ port: control.port, host: control.host });
      listening = true;
      return { gateway: urlOf(dataPlane.server.address() as AddressInfo), control: urlOf(controlApp.server.address() as AddressInfo) };
    },
    reload() {
      if (reloader === undefined) return Promise.reject(new Error('openGateway: reload() needs the configPath option'));
      return reloader.reload();
    },
    close() {
      closing ??= (async () => {
        listening = false;
        await reloader?.close();
        await Promise.all([dataPlane.close(), controlApp.close()]);
        await tokens.close();
        await anomalies.flush();
        decisionLog.flush();
      })();
      return closing;
    },
  };
}

function createGatewayReloader(config: GatehouseConfig, state: GatewayState, options: OpenGatewayOptions): ConfigReloader<GatewayState> {
  const { logger } = options;
  const watch = options.watch ?? true;
  return createConfigReloader<GatewayState>({
    path: options.configPath!,
    ...(options.env === undefined ? {} : { env: options.env }),
    build: buildGatewayState,
    initial: { config, state },
    watch,
    signal: watch ? 'SIGHUP' : null,
    onSwap(next, previous, warnings) {
      logger?.info({ routes: next.config.routes.length, warnings: warnings.length }, 'gateway configuration reloaded');
      // The token verifier (trusted issuers, leeway) is built once: say so rather than pretend.
      if (!isDeepStrictEqual(next.config.trust, previous.config.trust) || next.config.tokens.leewaySeconds !== previous.config.tokens.leewaySeconds) {
        logger?.warn({}, 'trust and tokens.leeway changes take effect on the next restart');
      }
    },
    onRejected(error) {
      logger?.error({ err: error }, 'gateway configuration reload rejected; the running configuration stays');
    },
    onWatchError(error) {
      logger?.error({ err: error }, 'configuration file watch failed; reload on SIGHUP or through the API');
    },
  });
}

function staticSnapshot(config: GatehouseConfig, state: GatewayState): () => ConfigSnapshot<GatewayState> {
  const snapshot = Object.freeze({ config, state });
  return () => snapshot;
}

function activeSince(issuer: IssuerServices): number | undefined {
  const kid = issuer.keys.signingKey().kid;
  const record = issuer.keys.records().find((candidate) => candidate.kid === kid);
  return record?.activatesAt;
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
