import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigIssue, ConfigWarning, GatehouseConfig } from '../../src/config/index.ts';
import { createConfigReloader, loadHashedConfig, type ConfigReloader, type ConfigReloaderOptions, type ConfigSnapshot } from '../../src/config-reload/index.ts';
import { compileRoutes, type RouteTable } from '../../src/gateway/routing/index.ts';
import { compilePolicy, type CompiledPolicy } from '../../src/policy/compile-policy.ts';

/** What the gateway derives from a configuration: the shape of a real `build`. */
export interface GatewayState {
  readonly routes: RouteTable;
  readonly policies: ReadonlyMap<string, CompiledPolicy>;
  /** Which build made it: 1 for the initial state. */
  readonly generation: number;
}

export interface RouteSpec {
  readonly id: string;
  readonly path: string;
}

export interface ConfigSpec {
  readonly issuer?: string;
  readonly gatewayListen?: string;
  readonly store?: string;
  readonly routes?: readonly RouteSpec[];
}

/** A valid file (unless the routes overlap), one route per spec, each with an allow rule. */
export function configYaml(spec: ConfigSpec = {}): string {
  const lines = [
    `issuer: ${spec.issuer ?? 'https://auth.example.com'}`,
    `listen: { gateway: ${spec.gatewayListen ?? '127.0.0.1:8080'}, control: 127.0.0.1:4000 }`,
    `store: '${spec.store ?? 'sqlite::memory:'}'`,
    'clients:',
    '  - id: svc',
    '    public: true',
    '    grants: [authorization_code]',
    '    redirectUris: [https://app.example.com/callback]',
    '    audiences: [orders, billing]',
    'routes:',
  ];
  for (const route of spec.routes ?? [{ id: 'orders', path: '/orders/**' }]) {
    lines.push(
      `  - id: ${route.id}`,
      `    match: { path: ${route.path} }`,
      '    upstream: http://127.0.0.1:9001',
      '    audience: orders',
      '    allow: [ { authenticated: true } ]',
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface ConfigDir {
  readonly dir: string;
  readonly path: string;
  /** In place, as `echo > file` does. */
  write(text: string): Promise<void>;
  /** As editors save: a temporary file renamed over the old one. */
  replace(text: string): Promise<void>;
  remove(): Promise<void>;
}

export async function configDir(text: string = configYaml()): Promise<ConfigDir> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-reload-'));
  const path = join(dir, 'gatehouse.yaml');
  let saves = 0;
  const files: ConfigDir = {
    dir,
    path,
    write: (content) => writeFile(path, content),
    async replace(content) {
      const temporary = join(dir, `.gatehouse.yaml.${++saves}.swp`);
      await writeFile(temporary, content);
      await rename(temporary, path);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  await files.write(text);
  return files;
}

export type ReloadEvent =
  | { readonly type: 'swap'; readonly next: ConfigSnapshot<GatewayState>; readonly previous: ConfigSnapshot<GatewayState>; readonly warnings: readonly ConfigWarning[] }
  | { readonly type: 'rejected'; readonly error: Error; readonly issues: readonly ConfigIssue[] | undefined };

/** Callback events in order; `next()` waits for the first one not taken yet. */
export class ReloadEvents {
  readonly all: ReloadEvent[] = [];
  #taken = 0;
  #waiting: (() => void)[] = [];

  push(event: ReloadEvent): void {
    this.all.push(event);
    for (const wake of this.#waiting.splice(0)) wake();
  }

  async next(): Promise<ReloadEvent> {
    // The watch and its debounce timer never hold the process open (that is tested), and neither
    // does the test runner's timeout: this handle keeps the loop alive while an event is awaited.
    const keepAlive = setInterval(() => {}, 60_000);
    try {
      while (this.#taken === this.all.length) await new Promise<void>((wake) => this.#waiting.push(wake));
    } finally {
      clearInterval(keepAlive);
    }
    return this.all[this.#taken++]!;
  }

  count(type: ReloadEvent['type']): number {
    return this.all.filter((event) => event.type === type).length;
  }
}

export interface Harness {
  readonly reloader: ConfigReloader<GatewayState>;
  readonly events: ReloadEvents;
  /** Every configuration build was called with, the initial one first. */
  readonly built: GatehouseConfig[];
}

type HarnessOptions = Partial<Omit<ConfigReloaderOptions<GatewayState>, 'path' | 'initial' | 'onSwap' | 'onRejected'>>;

/**
 * Starts as the gateway would: load (hashed), build, then the reloader. No watch and no signal
 * unless the test asks for them.
 */
export async function startReloader(path: string, options: HarnessOptions = {}): Promise<Harness> {
  const built: GatehouseConfig[] = [];
  const build = options.build ?? ((config: GatehouseConfig): GatewayState => {
    built.push(config);
    return { routes: compileRoutes(config.routes), policies: new Map(config.routes.map((route) => [route.id, compilePolicy(route)])), generation: built.length };
  });
  const initial = await loadHashedConfig(path, { env: {} });
  const events = new ReloadEvents();
  const reloader = createConfigReloader<GatewayState>({
    path,
    env: {},
    watch: false,
    signal: null,
    ...options,
    build,
    initial: { config: initial.config, state: await build(initial.config), contentHash: initial.contentHash },
    onSwap: (next, previous, warnings) => events.push({ type: 'swap', next, previous, warnings }),
    onRejected: (error, issues) => events.push({ type: 'rejected', error, issues }),
  });
  return { reloader, events, built };
}
