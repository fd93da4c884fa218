/**
 * The whole gateway on 127.0.0.1 for end-to-end tests: a real issuer (the issuer harness), a real
 * recording upstream (HTTP and WebSocket echo), and openGateway from a configuration file written
 * to a temporary directory (so reload() reads a real file). Decision lines are captured, parsed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DecisionLogLine } from '../../../src/audit/decision-log.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { openGateway, type OpenGateway, type OpenGatewayOptions } from '../../../src/gateway/open-gateway.ts';
import { startIssuer, TEST_SECRETS, type HarnessOptions, type IssuerHarness } from '../../support/issuer-harness.ts';
import { startUpstream, type TestUpstream } from './test-upstream.ts';

export interface GatewayHarness {
  readonly issuer: IssuerHarness;
  readonly upstream: TestUpstream;
  readonly gateway: OpenGateway;
  readonly gatewayUrl: string;
  readonly gatewayPort: number;
  readonly controlUrl: string;
  readonly configPath: string;
  /** Every decision line so far, parsed. */
  readonly lines: DecisionLogLine[];
  /** The decision line of a request, by the X-Request-Id the gateway answered with; waits for it (it is written when the exchange is over). */
  lineFor(requestId: string | string[] | undefined): Promise<DecisionLogLine>;
  /** Rewrites the configuration file with these routes (YAML list items, indented by two spaces). */
  writeRoutes(routesYaml: string): Promise<void>;
  writeConfigText(text: string): Promise<void>;
  /** Rewrites the configuration file with the standard routes and this top-level YAML after them (an anomaly or trust section). */
  writeExtraConfig(extraConfig: string): Promise<void>;
  /** An access token from the issuer's token endpoint: client_credentials for billing-svc. */
  billingToken(): Promise<string>;
  close(): Promise<void>;
}

/** Routes of the standard test configuration; `UPSTREAM` is replaced by the upstream's URL. */
export const STANDARD_ROUTES = `
  - id: orders
    match: { path: /orders/**, methods: [GET, POST] }
    upstream: UPSTREAM
    audience: orders
    allow: [ { role: billing } ]
    stripHeaders: [X-User-Id]
  - id: admin
    match: { path: /admin/** }
    upstream: UPSTREAM
    audience: orders
    allow: [ { role: admin } ]
  - id: ws
    match: { path: /ws/**, methods: [GET] }
    upstream: UPSTREAM
    audience: orders
    allow: [ { role: billing } ]
  - id: passthrough
    match: { path: /passthrough/** }
    upstream: UPSTREAM
    audience: orders
    forwardToken: true
    allow: [ { role: billing } ]
`;

export interface GatewayHarnessOptions {
  readonly anomaly?: OpenGatewayOptions['anomaly'];
  /** The routes to start with (as for writeRoutes); default STANDARD_ROUTES. */
  readonly routes?: string;
  /** For the issuer: its clock (the gateway's too), tokens section, extra clients. */
  readonly issuer?: HarnessOptions;
  /** Top-level YAML after the routes (an anomaly or trust section), in the file at start and in every writeRoutes. */
  readonly extraConfig?: string;
  /** openGateway's `console` option (default: the console on, with its defaults). */
  readonly console?: OpenGatewayOptions['console'];
}

export async function startGatewayHarness(options: GatewayHarnessOptions = {}): Promise<GatewayHarness> {
  const issuer = await startIssuer(options.issuer);
  const upstream = await startUpstream({ websocket: true });
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-e2e-'));
  const configPath = join(dir, 'gatehouse.yaml');
  const configText = (routes: string, extraConfig = options.extraConfig ?? ''): string => `
issuer: ${issuer.url}
listen: { gateway: 127.0.0.1:0, control: 127.0.0.1:0 }
store: "sqlite::memory:"
routes:
${routes.replaceAll('UPSTREAM', upstream.url)}
${extraConfig}
`;
  await writeFile(configPath, configText(options.routes ?? STANDARD_ROUTES));
  const { config } = await loadConfig(configPath, { env: {} });
  const lines: DecisionLogLine[] = [];
  const waiters = new Map<string, (line: DecisionLogLine) => void>();
  const record = (text: string): void => {
    const line = JSON.parse(text) as DecisionLogLine;
    lines.push(line);
    const waiter = waiters.get(line.request_id as string);
    waiters.delete(line.request_id as string);
    waiter?.(line);
  };
  const gateway = await openGateway(config, {
    issuer: issuer.services,
    configPath,
    watch: false,
    env: {},
    processMetrics: false,
    // High limits: these tests refuse tokens on purpose and must not trip a block.
    anomaly: options.anomaly ?? { limits: { ip: { failures: 10_000, windowMs: 60_000 }, subject: { failures: 10_000, windowMs: 60_000 } } },
    decisionLogDestination: { write: record },
    ...(options.console === undefined ? {} : { console: options.console }),
  });
  const addresses = await gateway.listen();
  return {
    issuer,
    upstream,
    gateway,
    gatewayUrl: addresses.gateway,
    gatewayPort: Number(new URL(addresses.gateway).port),
    controlUrl: addresses.control,
    configPath,
    lines,
    lineFor(requestId) {
      if (typeof requestId !== 'string') return Promise.reject(new Error(`no X-Request-Id in the response: ${String(requestId)}`));
      const found = lines.filter((line) => line.request_id === requestId);
      if (found.length > 1) return Promise.reject(new Error(`${found.length} decision lines for ${requestId}`));
      if (found.length === 1) return Promise.resolve(found[0]!);
      return new Promise((resolve) => waiters.set(requestId, resolve));
    },
    writeRoutes: (routes) => writeFile(configPath, configText(routes)),
    writeConfigText: (text) => writeFile(configPath, text),
    writeExtraConfig: (extraConfig) => writeFile(configPath, configText(STANDARD_ROUTES, extraConfig)),
    async billingToken() {
      const response = await fetch(`${issuer.url}/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`billing-svc:${TEST_SECRETS.billing}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials&resource=orders&scope=orders:read',
      });
      if (response.status !== 200) throw new Error(`token endpoint answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { access_token: string }).access_token;
    },
    async close() {
      await gateway.close();
      await upstream.close();
      await issuer.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
