/**
 * The console end to end: a real issuer, the gateway with its control listener on 127.0.0.1 (the
 * gateway harness), a built UI faked in a temporary folder, an admin and a non-admin user, and a
 * browser played by hand (test-browser.ts) that signs in through the issuer's real form.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fieldValue, PASSWORD } from '../../issuer/sign-in-helpers.ts';
import { manualClock } from '../../issuer/token-helpers.ts';
import { startGatewayHarness, type GatewayHarness } from '../../gateway/support/e2e-gateway-harness.ts';
import { NAVIGATE, TestBrowser, type BrowserResponse } from '../../gateway/support/test-browser.ts';

export const SESSION_COOKIE = '__Host-gatehouse-console';
export const LOGIN_COOKIE = '__Host-gatehouse-console-login';
export const INDEX_HTML = '<!doctype html><html><head><script type="module" src="/console/assets/index-abc123.js"></script></head><body><div id="app"></div></body></html>\n';

export const CONSOLE_ROUTES = `
  - id: orders
    match: { path: /orders/**, methods: [GET, POST] }
    upstream: UPSTREAM
    audience: orders
    allow: [ { role: billing } ]
  - id: admin
    match: { path: /admin/** }
    upstream: UPSTREAM
    audience: orders
    allow: [ { role: admin } ]
    deny: [ { id: no-evil, header: { name: X-Evil, equals: 'yes' } } ]
`;

export interface ConsoleHarness {
  readonly h: GatewayHarness;
  readonly clock: ReturnType<typeof manualClock>;
  /** e.g. http://127.0.0.1:51234 */
  readonly control: string;
  readonly uiDirectory: string;
  readonly rootId: string;
  readonly aliceId: string;
  /** Signs in through /console/login and the issuer's form; returns the callback's response. */
  signIn(browser: TestBrowser, username: string): Promise<{ login: BrowserResponse; callback: BrowserResponse }>;
  /** A browser with a console session of `root` (an admin), and its CSRF token. */
  adminBrowser(): Promise<{ browser: TestBrowser; csrf: string }>;
  /** GET an API path with the browser's cookies. */
  get(browser: TestBrowser, path: string, headers?: Record<string, string>): Promise<BrowserResponse>;
  /** POST JSON to a console path as the console's own page would (Origin and X-CSRF-Token), unless `headers` say otherwise. */
  post(browser: TestBrowser, path: string, json: unknown, csrf: string | undefined, headers?: Record<string, string>): Promise<BrowserResponse>;
  /** An access token of this issuer for the console's audience. */
  bearer(roles: readonly string[], subject?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startConsoleHarness(): Promise<ConsoleHarness> {
  const clock = manualClock();
  const uiDirectory = await mkdtemp(join(tmpdir(), 'gatehouse-console-ui-'));
  await mkdir(join(uiDirectory, 'assets'));
  await writeFile(join(uiDirectory, 'index.html'), INDEX_HTML);
  await writeFile(join(uiDirectory, 'assets', 'index-abc123.js'), 'console.log("ui");\n');
  await writeFile(join(uiDirectory, 'assets', 'index-abc123.css'), 'body{margin:0}\n');
  await writeFile(join(uiDirectory, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  const h = await startGatewayHarness({ routes: CONSOLE_ROUTES, issuer: { clock: clock.now }, console: { uiDirectory } });
  const rootId = await h.issuer.addUser('root', PASSWORD, ['admin']);
  const aliceId = await h.issuer.addUser('alice', PASSWORD, ['staff']);
  const control = h.controlUrl;

  async function signIn(browser: TestBrowser, username: string) {
    const login = await browser.go(`${control}/console/login`, { headers: NAVIGATE });
    assert.equal(login.status, 302, `login answered ${login.status}: ${login.body}`);
    const authorize = await browser.go(login.location!, { headers: NAVIGATE });
    assert.equal(authorize.status, 303, `authorize answered ${authorize.status}: ${authorize.body}`);
    const form = await browser.go(authorize.location!, { headers: NAVIGATE });
    assert.equal(form.status, 200);
    const tx = fieldValue(form.body, 'tx');
    const csrf = fieldValue(form.body, 'csrf');
    assert.ok(tx !== undefined && csrf !== undefined, 'the sign-in form has tx and csrf fields');
    const posted = await browser.go(h.issuer.services.urls.signIn, { form: { tx, csrf, username, password: PASSWORD }, headers: { origin: h.issuer.url } });
    assert.equal(posted.status, 303, `sign-in answered ${posted.status}`);
    assert.ok(posted.location!.startsWith(`${control}/console/callback?`), posted.location);
    const callback = await browser.go(posted.location!, { headers: NAVIGATE });
    return { login, callback };
  }

  const get = (browser: TestBrowser, path: string, headers: Record<string, string> = {}) => browser.go(`${control}${path}`, { headers: { accept: 'application/json', ...headers } });
  const post = (browser: TestBrowser, path: string, json: unknown, csrf: string | undefined, headers: Record<string, string> = {}) =>
    browser.go(`${control}${path}`, { method: 'POST', json, headers: { accept: 'application/json', origin: control, ...(csrf === undefined ? {} : { 'x-csrf-token': csrf }), ...headers } });

  return {
    h,
    clock,
    control,
    uiDirectory,
    rootId,
    aliceId,
    signIn,
    async adminBrowser() {
      const browser = new TestBrowser(clock.now);
      const { callback } = await signIn(browser, 'root');
      assert.equal(callback.status, 303, callback.body);
      const session = await get(browser, '/console/api/session');
      assert.equal(session.status, 200, session.body);
      return { browser, csrf: (JSON.parse(session.body) as { csrfToken: string }).csrfToken };
    },
    get,
    post,
    async bearer(roles, subject = 'ops-bot') {
      return (await h.issuer.services.mintAccessToken({ subject, audience: 'gatehouse-console', clientId: 'ops-cli', roles: [...roles] })).token;
    },
    async close() {
      await h.close();
      await rm(uiDirectory, { recursive: true, force: true });
    },
  };
}

export function json<T = any>(response: BrowserResponse): T {
  assert.match(String(response.headers['content-type']), /^application\/json/, `not JSON (${response.status}): ${response.body}`);
  return JSON.parse(response.body) as T;
}
