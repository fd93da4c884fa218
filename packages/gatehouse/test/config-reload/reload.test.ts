/**
 * createConfigReloader driven by reload(): what is swapped, what is refused, and that a refused
 * reload leaves the running snapshot exactly as it was (the same object).
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { ConfigInvalidError, type GatehouseConfig } from '../../src/config/index.ts';
import { ConfigRestartRequiredError, createConfigReloader, loadHashedConfig } from '../../src/config-reload/index.ts';
import { ServerError } from '../../src/errors.ts';
import { configDir, configYaml, startReloader, type GatewayState } from './reload-test-helpers.ts';

const TWO_ROUTES = { routes: [{ id: 'orders', path: '/orders/**' }, { id: 'billing', path: '/billing/**' }] };
const HANG_GUARD = { timeout: 10_000 };

describe('createConfigReloader: reload()', HANG_GUARD, () => {
  it('swaps in a valid change: the new configuration and the state built from it, onSwap once', async () => {
    const files = await configDir();
    const { reloader, events, built } = await startReloader(files.path);
    const before = reloader.current();
    try {
      assert.deepEqual(before.state.routes.routes.map((route) => route.id), ['orders']);
      await files.write(configYaml(TWO_ROUTES));

      const result = await reloader.reload();

      assert.deepEqual(result, { status: 'swapped', warnings: [] });
      const after = reloader.current();
      assert.notEqual(after, before);
      assert.ok(Object.isFrozen(after));
      assert.deepEqual(after.config.routes.map((route) => route.id), ['orders', 'billing']);
      assert.equal(after.config, built[1], 'the state was built from the configuration that is swapped in');
      assert.equal(after.state.generation, 2);
      assert.deepEqual([...after.state.policies.keys()], ['orders', 'billing']);
      assert.equal(after.state.routes.match('api.example.com', '/billing/x', 'GET').route?.id, 'billing');
      assert.deepEqual(events.all, [{ type: 'swap', next: after, previous: before, warnings: [] }]);
    } finally {
      await reloader.close();
      await files.remove();
    }
  });

  it('passes the warnings of the new file along with the swap', async () => {
    const files = await configDir();
    const { reloader, events } = await startReloader(files.path);
    try {
      await files.write(configYaml().replace('    allow: [ { authenticated: true } ]\n', ''));
      const result = await reloader.reload();
      assert.equal(result.status, 'swapped');
      assert.deepEqual(result.status === 'swapped' && result.warnings.map((warning) => [warning.path, warning.line]), [['routes[0]', 11]]);
      const event = await events.next();
      assert.equal(event.type === 'swap' && event.warnings, result.status === 'swapped' && result.warnings);
    } finally {
      await reloader.close();
      await files.remove();
    }
  });

  it('answers unchanged for the same bytes: nothing is built or swapped', async () => {
    const files = await configDir();
    const { reloader, events, built } = await startReloader(files.path);
    const before = reloader.current();
    try {
      assert.deepEqual(await reloader.reload(), { status: 'unchanged' });
      await files.replace(configYaml()); // a new inode, the same bytes
      assert.deepEqual(await reloader.reload(), { status: 'unchanged' });
      assert.equal(reloader.current(), before);
      assert.equal(built.length, 1);
      assert.deepEqual(events.all, []);
    } finally {
      await reloader.close();
      await files.remove();
    }
  });

  it('without an initial content hash, rebuilds once and then knows the file', async () => {
    const files = await configDir();
    const initial = await loadHashedConfig(files.path, { env: {} });
    let builds = 0;
    const reloader = createConfigReloader({
      path: files.path, env: {}, watch: false, signal: null,
      build: () => ++builds,
      initial: { config: initial.config, state: 0 },
    });
    try {
      assert.equal((await reloader.reload()).status, 'swapped');
      assert.equal((await reloader.reload()).status, 'unchanged');
      assert.equal(reloader.current().state, 1);
    } finally {
      await reloader.close();
      await files.remove();
    }
  });

  it('a reload back to the running bytes after a refused one is unchanged', async () => {
    const files = await configDir();
    const { reloader, built } = await startReloader(files.path);
    try {
      await files.write('issuer: [\n');
      assert.equal((await reloader.reload()).status, 'rejected');
      await files.write(configYaml());
      assert.deepEqual(await reloader.reload(), { status: 'unchanged' });
      assert.equal(built.length, 1);
    } finally {
      await reloader.close();
      await files.remove();
    }
  });
});

describe('createConfigReloader: a refused reload keeps the running snapshot', HANG_GUARD, () => {
  /** Writes `text`, reloads, and checks the refusal left everything as it was. */
  async function refused(text: string | null): Promise<{ error: Error; issues: unknown; path: string }> {
    const files = await configDir();
    const { reloader, events, built } = await startReloader(files.path);
    const before = reloader.current();
    try {
      if (text === null) await files.remove();
      else await files.write(text);

      const result = await reloader.reload();

      assert.equal(result.status, 'rejected');
      assert.equal(reloader.current(), before, 'the running snapshot is the same object');
      assert.equal(reloader.current().state.generation, 1);
      assert.ok(built.length <= 2);
      const event = await events.next();
      assert.equal(events.all.length, 1);
      assert.ok(event.type === 'rejected' && result.status === 'rejected');
      assert.equal(event.error, result.error, 'onRejected gets the error the result carries');
      return { error: result.error, issues: event.issues, path: files.path };
    } finally {
      await reloader.close();
      await files.remove();
    }
  }

  it('invalid YAML: config_invalid with the syntax issue at its line and column', async () => {
    const { error, issues, path } = await refused(configYaml().replace('upstream: http', 'upstream: @http'));
    assert.ok(error instanceof ConfigInvalidError);
    assert.equal(error.code, 'config_invalid');
    assert.deepEqual(error.issues.map((issue) => [issue.kind, issue.file, issue.line, issue.column]), [['syntax', path, 13, 15]]);
    assert.equal(issues, error.issues, 'onRejected gets the issues');
    assert.ok(error.message.includes(`${path}:13:15 (document): invalid YAML: Plain value cannot start with reserved character @`), error.message);
  });

  it('a schema error: the issue names the path in the document, line and column', async () => {
    const { error, path } = await refused(configYaml().replace('audience: orders', 'audience: 42'));
    assert.ok(error instanceof ConfigInvalidError);
    assert.deepEqual(error.issues.map((issue) => [issue.kind, issue.path, issue.line, issue.column]), [['invalid_value', 'routes[0].audience', 14, 15]]);
    assert.ok(error.message.includes(`${path}:14:15 routes[0].audience: expected a non-empty string, found 42`), error.message);
  });

  it('overlapping routes: config_invalid from compileRoutes, naming both routes', async () => {
    const { error, issues } = await refused(configYaml({ routes: [{ id: 'a', path: '/orders/**' }, { id: 'b', path: '/orders/**' }] }));
    assert.ok(error instanceof ServerError);
    assert.equal(error.code, 'config_invalid');
    assert.equal(issues, undefined);
    assert.match(error.message, /routes "a" and "b" match the same requests/);
  });

  it('anything build throws is refused the same way, unwrapped', async () => {
    const files = await configDir();
    const failure = new Error('cannot compile the trust section');
    let calls = 0;
    const { reloader, events } = await startReloader(files.path, {
      build: (): GatewayState => {
        if (++calls > 1) throw failure;
        return { routes: undefined!, policies: new Map(), generation: calls };
      },
    });
    const before = reloader.current();
    try {
      await files.write(configYaml(TWO_ROUTES));
      assert.deepEqual(await reloader.reload(), { status: 'rejected', error: failure });
      assert.equal(reloader.current(), before);
      assert.deepEqual(events.all, [{ type: 'rejected', error: failure, issues: undefined }]);
    } finally {
      await reloader.close();
      await files.remove();
    }
  });

  it('a deleted file: config_unreadable with the path and the OS reason', async () => {
    const { error, issues, path } = await refused(null);
    assert.ok(error instanceof ServerError);
    assert.equal(error.code, 'config_unreadable');
    assert.equal(issues, undefined);
    assert.ok(error.message.includes(path) && error.message.includes('ENOENT'), error.message);
  });

  it('a deleted file that comes back is swapped in', async () => {
    const files = await configDir();
    const { reloader } = await startReloader(files.path);
    try {
      await rm(files.path);
      assert.equal((await reloader.reload()).status, 'rejected');
      await files.write(configYaml(TWO_ROUTES));
      assert.equal((await reloader.reload()).status, 'swapped');
      assert.equal(reloader.current().state.routes.routes.length, 2);
    } finally {
      await reloader.close();
      await files.remove();
    }
  });
});

describe('createConfigReloader: settings that need a restart', HANG_GUARD, () => {
  it('refuses the whole reload, naming each setting with its running and its new value', async () => {
    const files = await configDir();
    const { reloader, events, built } = await startReloader(files.path);
    const before = reloader.current();
    try {
      await files.write(configYaml({ ...TWO_ROUTES, issuer: 'https://login.example.com', gatewayListen: '127.0.0.1:8081' }));
      const result = await reloader.reload();

      assert.equal(result.status, 'rejected');
      const error = result.status === 'rejected' ? result.error : undefined;
      assert.ok(error instanceof ConfigRestartRequiredError);
      assert.equal(error.code, 'config_restart_required');
      assert.deepEqual(error.settings, ['issuer', 'listen.gateway']);
      assert.match(error.message, /issuer: https:\/\/auth\.example\.com -> https:\/\/login\.example\.com/);
      assert.match(error.message, /listen\.gateway: 127\.0\.0\.1:8080 -> 127\.0\.0\.1:8081/);
      assert.ok(error.message.startsWith(files.path));
      assert.equal(reloader.current(), before, 'the route change that came with it is not applied either');
      assert.equal(built.length, 1, 'nothing is built for a refused file');
      assert.equal((await events.next()).type, 'rejected');
    } finally {
      await reloader.close();
      await files.remove();
    }
  });

  it('covers the store and the master key file, and never shows a store password', async () => {
    const files = await configDir(configYaml({ store: 'postgres://gatehouse:hunter2-secret@db1:5432/gatehouse' }));
    const { reloader } = await startReloader(files.path);
    try {
      await files.write(`${configYaml({ store: 'postgres://gatehouse:hunter2-secret@db2:5432/gatehouse' })}keys: { masterKeyFile: ./master.key }\n`);
      const result = await reloader.reload();
      const error = result.status === 'rejected' ? result.error : undefined;
      assert.ok(error instanceof ConfigRestartRequiredError);
      assert.deepEqual(error.settings, ['store', 'keys.masterKeyFile']);
      assert.ok(!error.message.includes('hunter2'), error.message);
      assert.match(error.message, /store: postgres:\/\/gatehouse:\*\*\*@db1:5432\/gatehouse -> postgres:\/\/gatehouse:\*\*\*@db2:5432\/gatehouse/);
      assert.match(error.message, /keys\.masterKeyFile: \(none: GATEHOUSE_MASTER_KEY\) -> \/.*master\.key/);
    } finally {
      await reloader.close();
      await files.remove();
    }
  });

  it('the same values written differently are not a change', async () => {
    const files = await configDir();
    const { reloader } = await startReloader(files.path);
    try {
      // The issuer is written with a trailing slash; the normalized value is the same.
      await files.write(configYaml(TWO_ROUTES).replace('issuer: https://auth.example.com', 'issuer: https://auth.example.com/'));
      assert.equal((await reloader.reload()).status, 'swapped');
    } finally {
      await reloader.close();
      await files.remove();
    }
  });
});

describe('createConfigReloader: one reload at a time', HANG_GUARD, () => {
  it('calls made during a reload share one run after it, which reads the newest file', async () => {
    const files = await configDir();
    const initial = await loadHashedConfig(files.path, { env: {} });
    const built: GatehouseConfig[] = [];
    let building = 0;
    let maxBuilding = 0;
    const firstBuildStarted = deferred();
    const releaseFirstBuild = deferred();
    const reloader = createConfigReloader({
      path: files.path, env: {}, watch: false, signal: null,
      initial: { config: initial.config, state: 0, contentHash: initial.contentHash },
      async build(config) {
        built.push(config);
        maxBuilding = Math.max(maxBuilding, ++building);
        if (built.length === 1) {
          firstBuildStarted.resolve();
          await releaseFirstBuild.promise;
        }
        building--;
        return built.length;
      },
    });
    try {
      await files.write(configYaml(TWO_ROUTES));
      const first = reloader.reload();
      await firstBuildStarted.promise;
      await files.write(configYaml({ routes: [...TWO_ROUTES.routes, { id: 'users', path: '/users/**' }] }));
      const second = reloader.reload();
      const third = reloader.reload();
      assert.equal(second, third, 'the waiting calls share one promise');
      assert.equal(reloader.current().state, 0, 'nothing is swapped before build returns');
      releaseFirstBuild.resolve();

      assert.equal((await first).status, 'swapped');
      assert.equal((await second).status, 'swapped');
      assert.equal(built.length, 2, 'three calls, two runs');
      assert.equal(maxBuilding, 1, 'never two builds at once');
      assert.equal(reloader.current().state, 2);
      assert.deepEqual(reloader.current().config.routes.map((route) => route.id), ['orders', 'billing', 'users']);
    } finally {
      await reloader.close();
      await files.remove();
    }
  });

  it('close() waits for the reload under way; reload() after close() is refused', async () => {
    const files = await configDir();
    const initial = await loadHashedConfig(files.path, { env: {} });
    const buildStarted = deferred();
    const releaseBuild = deferred();
    const reloader = createConfigReloader({
      path: files.path, env: {}, watch: false, signal: null,
      initial: { config: initial.config, state: 'initial', contentHash: initial.contentHash },
      async build() {
        buildStarted.resolve();
        await releaseBuild.promise;
        return 'reloaded';
      },
    });
    try {
      await files.write(configYaml(TWO_ROUTES));
      const reloading = reloader.reload();
      await buildStarted.promise;
      let closed = false;
      const closing = reloader.close().then(() => { closed = true; });
      await assert.rejects(reloader.reload(), /closed/);
      assert.equal(closed, false);
      releaseBuild.resolve();
      await closing;
      assert.equal((await reloading).status, 'swapped');
      assert.equal(reloader.current().state, 'reloaded');
    } finally {
      await reloader.close();
      await files.remove();
    }
  });

  it('validates its options when called', () => {
    const initial = { config: {} as GatehouseConfig, state: 0 };
    const base = { path: '/etc/gatehouse/gatehouse.yaml', build: () => 0, initial, watch: false, signal: null } as const;
    assert.throws(() => createConfigReloader({ ...base, path: '' }), TypeError);
    assert.throws(() => createConfigReloader({ ...base, debounceMs: -1 }), TypeError);
    assert.throws(() => createConfigReloader({ ...base, debounceMs: Number.NaN }), TypeError);
    assert.throws(() => createConfigReloader({ ...base, signal: 'SIGTERM' as 'SIGHUP' }), TypeError);
  });
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => { resolve = done; });
  return { promise, resolve };
}
