/**
 * The built UI under /console/ (console/static-ui.ts): files of the build with their content
 * types, index.html for the app's own paths, a 404 for a missing asset, nothing outside the build
 * folder, and a 503 that says how to build when there is no build. Headers: the console's CSP and
 * the others on every answer.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { addConsoleSecurityHeaders, CONSOLE_CSP } from '../../src/console/security-headers.ts';
import { createStaticUi } from '../../src/console/static-ui.ts';

const INDEX = '<!doctype html><title>console</title><script type="module" src="/console/assets/index-1.js"></script>\n';

let root: string;
let built: FastifyInstance;
let unbuilt: FastifyInstance;

function appServing(directory: string): FastifyInstance {
  const app = Fastify({ logger: false });
  addConsoleSecurityHeaders(app);
  app.get('/console/*', createStaticUi({ directory }));
  return app;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gatehouse-static-'));
  const dist = join(root, 'dist');
  await mkdir(join(dist, 'assets'), { recursive: true });
  await writeFile(join(dist, 'index.html'), INDEX);
  await writeFile(join(dist, 'assets', 'index-1.js'), 'export {};\n');
  await writeFile(join(dist, 'assets', 'index-1.css'), 'body{}\n');
  await writeFile(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  await writeFile(join(root, 'secret.txt'), 'outside the build\n');
  built = appServing(dist);
  unbuilt = appServing(join(root, 'no-such-dist'));
});

after(async () => {
  await built?.close();
  await unbuilt?.close();
  await rm(root, { recursive: true, force: true });
});

const get = (app: FastifyInstance, url: string) => app.inject({ method: 'GET', url });

describe('the built UI under /console/', () => {
  it('serves index.html at /console/ and for the app\'s own paths, never cached', async () => {
    for (const url of ['/console/', '/console/keys', '/console/users/42/', '/console/decisions?route=orders', '/console/users/alice.smith']) {
      const response = await get(built, url);
      assert.equal(response.statusCode, 200, url);
      assert.equal(response.headers['content-type'], 'text/html; charset=utf-8', url);
      assert.equal(response.body, INDEX, url);
      assert.equal(response.headers['cache-control'], 'no-cache', url);
    }
  });

  it('serves the build\'s files with their content types; hashed assets cached for good', async () => {
    const script = await get(built, '/console/assets/index-1.js');
    assert.equal(script.statusCode, 200);
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(script.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await get(built, '/console/assets/index-1.css')).headers['content-type'], 'text/css; charset=utf-8');
    const icon = await get(built, '/console/favicon.svg');
    assert.equal(icon.headers['content-type'], 'image/svg+xml');
    assert.equal(icon.headers['cache-control'], 'no-cache');
  });

  it('a missing asset is a 404, not the page in its place', async () => {
    for (const url of ['/console/assets/gone.js', '/console/assets/gone.css', '/console/missing.png']) {
      assert.equal((await get(built, url)).statusCode, 404, url);
    }
  });

  it('nothing outside the build folder: dot segments, encoded or not, and encoded slashes are refused', async () => {
    for (const url of ['/console/../secret.txt', '/console/%2e%2e/secret.txt', '/console/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/console/%2E%2E/secret.txt', '/console/assets%5c..%5c..%5csecret.txt', '/console/a%00b', '/console/%zz']) {
      const response = await get(built, url);
      assert.ok(!response.body.includes('outside the build'), url);
      assert.notEqual(response.statusCode, 500, url);
    }
  });

  it('without a build: 503 "the console is not built: npm run build"', async () => {
    const response = await get(unbuilt, '/console/');
    assert.equal(response.statusCode, 503);
    assert.equal(response.body, 'the console is not built: npm run build\n');
    assert.equal(response.headers['content-type'], 'text/plain; charset=utf-8');
  });

  it('the API\'s paths are never the page: a GET to an unknown one is a JSON 404', async () => {
    const response = await get(built, '/console/api/whatever');
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error, 'not_found');
  });

  it('every answer carries the CSP, nosniff, no-referrer and DENY', async () => {
    for (const [app, url] of [[built, '/console/'], [built, '/console/assets/index-1.js'], [built, '/console/assets/gone.js'], [unbuilt, '/console/']] as const) {
      const response = await get(app, url);
      assert.equal(response.headers['content-security-policy'], CONSOLE_CSP, url);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['referrer-policy'], 'no-referrer');
      assert.equal(response.headers['x-frame-options'], 'DENY');
    }
  });
});
