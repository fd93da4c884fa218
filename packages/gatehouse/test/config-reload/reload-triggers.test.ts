/**
 * What starts a reload besides reload(): the file watch (a real fs.watch on a temporary
 * directory, and an injected one) and SIGHUP; and that none of them outlives close() or keeps the
 * process alive. Tests wait for the onSwap / onRejected callbacks, never for time.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigInvalidError } from '../../src/config/index.ts';
import type { DirectoryWatch, DirectoryWatcher } from '../../src/config-reload/index.ts';
import { configDir, configYaml, startReloader } from './reload-test-helpers.ts';

const TWO_ROUTES = { routes: [{ id: 'orders', path: '/orders/**' }, { id: 'billing', path: '/billing/**' }] };
const HANG_GUARD = { timeout: 20_000 };

describe('config reload: the file watch', HANG_GUARD, () => {
  it('sees an editor-style save (temporary file renamed over the old one), valid and invalid', async () => {
    const files = await configDir();
    const { reloader, events } = await startReloader(files.path, { watch: true, debounceMs: 20 });
    const before = reloader.current();
    try {
      await files.replace(configYaml(TWO_ROUTES));
      const swap = await events.next();
      assert.equal(swap.type, 'swap');
      assert.equal(swap.type === 'swap' && swap.previous, before);
      assert.equal(reloader.current(), swap.type === 'swap' ? swap.next : undefined);
      assert.deepEqual(reloader.current().config.routes.map((route) => route.id), ['orders', 'billing']);

      // The watch survived the rename: the next save, an invalid one, is seen and refused.
      const running = reloader.current();
      await files.replace(configYaml(TWO_ROUTES).replace('audience: orders', 'audience: 42'));
      const refusal = await events.next();
      assert.ok(refusal.type === 'rejected' && refusal.error instanceof ConfigInvalidError);
      assert.deepEqual(refusal.issues?.map((issue) => [issue.path, issue.line, issue.column]), [['routes[0].audience', 14, 15]]);
      assert.equal(reloader.current(), running);
    } finally {
      await reloader.close();
      await files.remove();
    }
  });

  it('follows a configuration that is a symbolic link when the link is swapped (Kubernetes ConfigMap volumes)', async () => {
    const files = await configDir();
    // The layout kubelet writes: gatehouse.yaml -> ..data/gatehouse.yaml, ..data -> ..v1.
    const link = join(files.dir, 'mounted.yaml');
    await mkdir(join(files.dir, '..v1'));
    await writeFile(join(files.dir, '..v1', 'mounted.yaml'), configYaml());
    await symlink('..v1', join(files.dir, '..data'));
    await symlink(join('..data', 'mounted.yaml'), link);
    const { reloader, events } = await startReloader(link, { watch: true, debounceMs: 20 });
    try {
      // An update: a new directory, then ..data swapped to it by a rename. No event names mounted.yaml.
      await mkdir(join(files.dir, '..v2'));
      await writeFile(join(files.dir, '..v2', 'mounted.yaml'), configYaml(TWO_ROUTES));
      await symlink('..v2', join(files.dir, '..data_tmp'));
      await rename(join(files.dir, '..data_tmp'), join(files.dir, '..data'));

      assert.equal((await events.next()).type, 'swap');
      assert.deepEqual(reloader.current().config.routes.map((route) => route.id), ['orders', 'billing']);
    } finally {
      await reloader.close();
      await files.remove();
    }
  });

  it('watches the directory through the injected watcher, and close() closes it', async () => {
    const files = await configDir();
    const fake = new FakeDirectoryWatcher();
    const { reloader, events } = await startReloader(files.path, { watch: true, debounceMs: 0, fs: fake });
    try {
      assert.deepEqual(fake.directories, [files.dir]);
      await files.write(configYaml(TWO_ROUTES));
      fake.emit('change', 'gatehouse.yaml');
      assert.equal((await events.next()).type, 'swap');
      assert.equal(fake.closed, false);
    } finally {
      await reloader.close();
      await files.remove();
    }
    assert.equal(fake.closed, true);
  });

  it('a broken watch is closed and reported; reload() still works', async () => {
    const files = await configDir();
    const fake = new FakeDirectoryWatcher();
    const watchErrors: Error[] = [];
    const { reloader } = await startReloader(files.path, { watch: true, fs: fake, onWatchError: (error) => watchErrors.push(error) });
    try {
      const failure = Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
      fake.fail(failure);
      assert.deepEqual(watchErrors, [failure]);
      assert.equal(fake.closed, true);
      await files.write(configYaml(TWO_ROUTES));
      assert.equal((await reloader.reload()).status, 'swapped');
    } finally {
      await reloader.close();
      await files.remove();
    }
  });

  it('never keeps the process alive: a process that does not close its reloader still exits', async () => {
    const files = await configDir();
    try {
      const script = join(files.dir, 'leave-it-open.mts');
      const reloadModule = pathToFileURL(fileURLToPath(new URL('../../src/config-reload/index.ts', import.meta.url))).href;
      await writeFile(script, [
        `import { createConfigReloader, loadHashedConfig } from ${JSON.stringify(reloadModule)};`,
        `const path = ${JSON.stringify(files.path)};`,
        'const initial = await loadHashedConfig(path, { env: {} });',
        'createConfigReloader({ path, env: {}, build: () => 1, initial: { ...initial, state: 1 } });',
        "console.log(process.listenerCount('SIGHUP'));",
      ].join('\n'));
      const child = spawn(process.execPath, ['--conditions=gatehouse-source', '--import', 'tsx', script], {
        cwd: fileURLToPath(new URL('../../../../', import.meta.url)),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      let errors = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => { errors += chunk; });
      const [code] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (...status) => resolve(status)));
      assert.equal(code, 0, errors);
      assert.equal(output.trim(), '1', 'the watch and the SIGHUP handler were in place');
    } finally {
      await files.remove();
    }
  });
});

describe('config reload: SIGHUP', HANG_GUARD, () => {
  it('reloads on SIGHUP, and close() removes the handler', async () => {
    const files = await configDir();
    const listeners = process.listenerCount('SIGHUP');
    const { reloader, events } = await startReloader(files.path, { signal: 'SIGHUP' });
    try {
      assert.equal(process.listenerCount('SIGHUP'), listeners + 1);
      await files.write(configYaml(TWO_ROUTES));
      process.emit('SIGHUP', 'SIGHUP');
      assert.equal((await events.next()).type, 'swap');
      assert.deepEqual(reloader.current().config.routes.map((route) => route.id), ['orders', 'billing']);

      await files.write(configYaml(TWO_ROUTES).replace('audience: orders', 'audience: 42'));
      process.emit('SIGHUP', 'SIGHUP');
      assert.equal((await events.next()).type, 'rejected');
    } finally {
      await reloader.close();
      await files.remove();
    }
    assert.equal(process.listenerCount('SIGHUP'), listeners);
  });

  it('is the default, and signal: null installs no handler', async () => {
    const files = await configDir();
    const listeners = process.listenerCount('SIGHUP');
    const byDefault = await startReloader(files.path, { signal: undefined });
    const without = await startReloader(files.path, { signal: null });
    try {
      assert.equal(process.listenerCount('SIGHUP'), listeners + 1);
    } finally {
      await byDefault.reloader.close();
      await without.reloader.close();
      await files.remove();
    }
    assert.equal(process.listenerCount('SIGHUP'), listeners);
  });
});

/** Records what is watched; the test fires the events. */
class FakeDirectoryWatcher implements DirectoryWatcher {
  readonly directories: string[] = [];
  closed = false;
  #listener: ((eventType: string, filename: string | null) => void) | undefined;
  #onError: ((error: Error) => void) | undefined;

  watch(directory: string, listener: (eventType: string, filename: string | null) => void): DirectoryWatch {
    this.directories.push(directory);
    this.#listener = listener;
    return {
      close: () => { this.closed = true; },
      on: (_event: 'error', onError: (error: Error) => void) => { this.#onError = onError; },
    };
  }

  emit(eventType: string, filename: string | null): void {
    this.#listener?.(eventType, filename);
  }

  fail(error: Error): void {
    this.#onError?.(error);
  }
}
