import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { AnomalyDetector, anomalySettingsFromConfig, type AnomalyCooldown, type AnomalyDimension, type AnomalySettings, type AnomalyWebhookOptions, type FailureLimit } from '../anomaly/index.ts';
import { createDecisionLog, type DecisionLog } from '../audit/decision-log.ts';
import type { Environment, GatehouseConfig } from '../config/index.ts';
import type { ConfigSnapshot, ReloadResult } from '../config-reload/index.ts';
import { createConsole, createDecisionHistory, type ConsoleOptions, type DecisionHistory } from '../console/index.ts';
import type { IssuerServices } from '../issuer/issuer-services.ts';
import { createGatewayMetrics, type GatewayMetrics } from '../metrics/gateway-metrics.ts';
import { createAssertionCache } from './assertion/assertion-cache.ts';
import { createUpstreamAssertionMinter } from './assertion/mint-upstream-assertion.ts';
import { createRouteTokenVerifier, type RouteTokenVerifier } from './authn/index.ts';
import { createBrowserSessions, GATEWAY_CLIENT_ID } from './browser-session/index.ts';
import { createControlApp } from './control-app.ts';
import { createDataPlane, type DataPlane } from './data-plane.ts';
import { createGatewayReloader } from './gateway-reloader.ts';
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
  /**
   * Over the configuration's `anomaly` section, at start and on every reload (for tests): a
   * dimension given here replaces the file's, cooldown fields one by one, a webhook the file's.
   */
  readonly anomaly?: {
    readonly limits?: Partial<Readonly<Record<AnomalyDimension, FailureLimit>>>;
    readonly cooldown?: Partial<AnomalyCooldown>;
    readonly webhook?: AnomalyWebhookOptions;
  };
  /** Timeouts, sizes, pools, trusted forwarders: see DataPlaneOptions. */
  readonly dataPlane?: Omit<DataPlaneOptions, 'decide' | 'onResult'>;
  /** Node.js process metrics on /metrics. Default true. */
  readonly processMetrics?: boolean;
  /** The web console on the control listener (docs/reference/console.md); `false` leaves it out. Default: on. */
  readonly console?: false | ConsoleOptions;
}

export interface GatewayAddresses {
  /** e.g. http://127.0.0.1:8080 */
  readonly gateway: string;
  readonly control: string;
}

export interface OpenGateway {
  /** The data plane; its server listens once listen() is called. */
  readonly dataPlane: DataPlane;
  /** The control listener: GET /metrics, /healthz, /readyz, and the console under /console. */
  readonly controlApp: FastifyInstance;
  readonly metrics: GatewayMetrics;
  readonly decisionLog: DecisionLog;
  /** The recent decisions the console shows; undefined without the console. */
  readonly decisionHistory: DecisionHistory | undefined;
  /** The running configuration and the state built from it. */
  current(): ConfigSnapshot<GatewayState>;
  /** Binds config.listen.gateway and config.listen.control (port 0: any free port); resolves with the bound addresses. */
  listen(): Promise<GatewayAddresses>;
  /** Reloads configPath: a bad file is rejected and the running configuration keeps serving. */
  reload(): Promise<ReloadResult>;
  close(): Promise<void>;
  /**
   * Graceful shutdown: /readyz answers 503 at once, the data plane stops accepting and lets
   * requests in flight finish for up to `graceMs`, then everything closes. Resolves with the
   * number of connections cut when the grace ran out.
   */
  drain(graceMs: number): Promise<number>;
}

/**
 * Assembles the gateway (DESIGN.md "The parts"): the data plane with the decide pipeline
 * (pipeline/decide-request.ts), the token verifier on the issuer's keys and revocation lists, the
 * assertion minter, anomaly detection, the decision log and metrics, and the control listener with
 * the web console (console/create-console.ts) and its decision history.
 * Routes, policies and the token verifier (trust, tokens.leeway) are the hot-reloadable state
 * (gateway-reloader.ts); the anomaly detector takes a reloaded `anomaly` section in place;
 * everything else is built once.
 */
export async function openGateway(config: GatehouseConfig, options: OpenGatewayOptions): Promise<OpenGateway> {
  const { issuer, logger } = options;
  const clock = options.clock ?? issuer.clock;

  const metrics = createGatewayMetrics({
    reasons: [...DECISION_LINE_REASONS, ...Object.keys(FORWARD_FAILURES)],
    signingKeyActivatedAt: () => activeSince(issuer),
    revocationSyncAgeMs: () => issuer.revocations.sinceSyncMs(),
    clock,
    defaultMetrics: options.processMetrics,
  });
  const decisionLog = createDecisionLog({ clock, ...(options.decisionLogDestination === undefined ? {} : { destination: options.decisionLogDestination }) });
  const tokenVerifierFor = (next: GatehouseConfig): Promise<RouteTokenVerifier> =>
    createRouteTokenVerifier({
      issuer: next.issuer,
      ownKeys: issuer.keys.keySet,
      trust: next.trust,
      isRevoked: issuer.revocations.isRevoked,
      leewaySeconds: next.tokens.leewaySeconds,
      clock,
      onJwksEvent: (event, from) => metrics.recordJwksEvent(event, from),
    });
  const tokens = await tokenVerifierFor(config);
  let initialState: GatewayState;
  try {
    initialState = buildGatewayState(config, tokens);
  } catch (error) {
    await tokens.close();
    throw error;
  }
  const anomalies = new AnomalyDetector({
    ...anomalySettings(config, options.anomaly),
    recordSecurityEvent: (event) => issuer.recordSecurityEvent(event),
    ...(logger === undefined ? {} : { log: logger }),
    clock,
  });
  const reloader =
    options.configPath === undefined
      ? undefined
      : createGatewayReloader({
          path: options.configPath,
          ...(options.env === undefined ? {} : { env: options.env }),
          watch: options.watch ?? true,
          initial: { config, state: initialState },
          tokenVerifierFor,
          logger,
          onSwap(next, previous) {
            if (isDeepStrictEqual(next.config.anomaly, previous.config.anomaly)) return;
            try {
              anomalies.reconfigure(anomalySettings(next.config, options.anomaly));
            } catch (error) {
              // The schema admits only what the detector takes; this would be a bug, not a bad file.
              logger?.error({ err: error }, 'the reloaded anomaly section could not be applied; anomaly detection keeps its settings');
            }
          },
        });
  const current = reloader === undefined ? staticSnapshot(config, initialState) : () => reloader.current();
  // Read per request, so a reload of cluster.failClosedAfter applies at once.
  const revocationsStale = (): boolean => issuer.revocations.sinceSyncMs() > current().config.cluster.failClosedAfterSeconds * 1000;
  const decide = createDecidePipeline({
    state: () => current().state,
    anomalies,
    assertions: createAssertionCache(createUpstreamAssertionMinter({ issuer: config.issuer, keys: issuer.keys, clock }), issuer.keys, clock),
    clock,
    observeTokenVerify: (seconds) => metrics.observeTokenVerify(seconds),
    browserSessions: createBrowserSessions({ issuer, anomalies, clock, ...(logger === undefined ? {} : { logger }) }),
    revocationsStale,
  });
  // The issuer learns the gateway's client from the running routes: a reload that adds a login host changes it too.
  const unregisterClient = issuer.clients.provideBuiltIn(GATEWAY_CLIENT_ID, () => current().state.browserLogin.client);
  // The console's history is fed next to the decision log, with the very lines the log writes.
  const decisionHistory = options.console === false ? undefined : createDecisionHistory({ clock });
  const dataPlane = createDataPlane({ ...options.dataPlane, decide, onResult: createDecisionRecorder(decisionLog, metrics, decisionHistory?.record) });
  const webConsole = decisionHistory === undefined
    ? undefined
    : createConsole({ ...(options.console === false ? {} : options.console), issuer, current, history: decisionHistory, clock, ...(logger === undefined ? {} : { logger }) });

  let listening = false;
  let keysReady = false;
  void tokens.ready().then(() => {
    keysReady = true;
  });
  // Stale revocation lists make this replica refuse what it would allow: a load balancer should send traffic elsewhere.
  const controlApp = createControlApp({ metrics, ready: () => listening && keysReady && !revocationsStale(), ...(webConsole === undefined ? {} : { console: webConsole }) });

  let closing: Promise<void> | undefined;
  return {
    dataPlane,
    controlApp,
    metrics,
    decisionLog,
    decisionHistory,
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
    async drain(this: OpenGateway, graceMs: number) {
      listening = false;
      const cut = await dataPlane.drain(graceMs);
      await this.close();
      return cut;
    },
    close() {
      closing ??= (async () => {
        listening = false;
        await reloader?.close();
        await Promise.all([dataPlane.close(), controlApp.close()]);
        await current().state.tokens.close();
        await anomalies.flush();
        unregisterClient();
        webConsole?.close();
        decisionLog.flush();
      })();
      return closing;
    },
  };
}

/** The file's anomaly section with the openGateway `anomaly` option over it. */
function anomalySettings(config: GatehouseConfig, override: OpenGatewayOptions['anomaly']): AnomalySettings {
  const fromFile = anomalySettingsFromConfig(config.anomaly);
  if (override === undefined) return fromFile;
  const webhook = override.webhook ?? fromFile.webhook;
  return {
    limits: { ...fromFile.limits, ...override.limits },
    cooldown: { ...fromFile.cooldown, ...override.cooldown },
    ...(webhook === undefined ? {} : { webhook }),
  };
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
