/**
 * The web console in a real browser: Debian's Chromium (/usr/bin/chromium, never a downloaded
 * build) driven by playwright-core, against a real issuer + gateway + console (startGatehouse on
 * a SQLite store in a temporary folder, a real upstream). An admin signs in through the issuer's
 * sign-in form and uses every page; a non-admin is refused. Each page is saved as a screenshot
 * into docs/console/ (the README shows them). Without Chromium: skipped on a laptop, a failure in
 * CI (CI=true).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { parseConfig } from '../../src/config/index.ts';
import { UserService } from '../../src/issuer/users/user-service.ts';
import { startGatehouse, type RunningGatehouse } from '../../src/runtime/start-gatehouse.ts';
import { startUpstream, type TestUpstream } from '../gateway/support/test-upstream.ts';
import { signIn } from '../issuer/token-helpers.ts';
import type { IssuerHarness } from '../support/issuer-harness.ts';
import { freePort, REDIRECT_URI } from '../support/issuer-harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = fileURLToPath(new URL('../../../../docs/console/', import.meta.url));
const PASSWORD = 'correct horse battery staple';
/** How long a step may wait for the page: the decisions view polls every 2 s. */
const STEP_MS = 10_000;

const chromiumMissing = !existsSync(CHROMIUM);
const skip = chromiumMissing && process.env.CI !== 'true' ? `${CHROMIUM} is not installed (apt-get install chromium); CI installs it and runs this` : false;

describe('console in Chromium', { skip, timeout: 90_000 }, () => {
  let dir: string;
  let upstream: TestUpstream;
  let running: RunningGatehouse;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  let consoleUrl: string;
  /** CSP violations and script errors seen by any page. */
  const problems: string[] = [];

  before(async () => {
    // In CI a missing Chromium is a failure, never a skip.
    assert.ok(!chromiumMissing, `${CHROMIUM} is missing: .ci/run installs Debian's chromium before the tests`);
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-console-'));
    upstream = await startUpstream();
    const issuerPort = await freePort();
    const env = { GATEHOUSE_MASTER_KEY: randomBytes(32).toString('base64url') };
    const yaml = `
issuer: http://127.0.0.1:${issuerPort}
listen: { gateway: 127.0.0.1:0, issuer: 127.0.0.1:${issuerPort}, control: 127.0.0.1:0 }
store: sqlite:${join(dir, 'gatehouse.db')}
keys: { algorithm: ES256, rotateEvery: 24h }
clients:
  - id: web
    public: true
    grants: [authorization_code, refresh_token]
    redirectUris: [${REDIRECT_URI}]
    scopes: [openid, profile, offline_access, orders:read]
    audiences: [orders]
routes:
  - id: orders
    match: { path: /orders/** }
    upstream: ${upstream.url}
    audience: orders
    allow: [ { authenticated: true } ]
`;
    const { config } = parseConfig(yaml, { file: 'console-test.yaml', env });
    running = await startGatehouse(config, { services: ['issuer', 'gateway'], logger: pino({ level: 'silent' }), env, decisionLogDestination: { write: () => {} } });
    consoleUrl = `${running.urls.control}/console/`;
    gatewayUrl = running.urls.gateway!;
    const users = new UserService(running.issuer.services);
    await users.createUser('admin', PASSWORD, ['admin']);
    await users.createUser('eve', PASSWORD, []);
    await users.createUser('alice', PASSWORD, ['billing']);

    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    admin = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    admin.setDefaultTimeout(STEP_MS);
    page = await watchedPage(admin, problems);
  });

  after(async () => {
    await browser?.close();
    await running?.stop(1000);
    await upstream?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('signs the admin in through the issuer\'s sign-in form and shows the overview chart', async () => {
    await page.goto(consoleUrl);
    // No session: the console goes to /console/login, which sends the browser to the issuer.
    await signInAtIssuer(page, 'admin');
    await page.waitForURL(`${consoleUrl}**`, { timeout: STEP_MS });
    await page.getByTestId('whoami-username').waitFor({ timeout: STEP_MS });
    assert.equal(await page.getByTestId('whoami-username').textContent(), 'admin');
    // Some traffic for the picture: allowed and refused requests.
    const token = (await signIn(issuerHarness(running), { userId: await userId(running, 'alice'), scope: 'openid orders:read', audience: 'orders' })).access_token as string;
    for (let i = 0; i < 6; i++) assert.equal((await callGateway(`/orders/${i}`, token)).status, 200);
    for (let i = 0; i < 3; i++) assert.equal((await callGateway('/orders/x', tamper(token))).status, 401);
    await page.reload();
    await page.locator('[data-testid=overview-chart] canvas').waitFor({ timeout: STEP_MS });
    await page.locator('[data-testid=top-reasons] code', { hasText: 'bad_signature' }).waitFor({ timeout: STEP_MS });
    await screenshot(page, 'overview');
  });

  it('shows a request refused at the gateway in the decisions view, with its reason', async () => {
    await page.getByTestId('nav-decisions').click();
    await page.getByTestId('decisions-table').waitFor({ timeout: STEP_MS });
    const token = (await signIn(issuerHarness(running), { userId: await userId(running, 'alice'), scope: 'openid orders:read', audience: 'orders' })).access_token as string;
    // Sent after the page is open: it must arrive with a poll, not with the first load.
    const refused = await callGateway('/orders/refused-now', tamper(token));
    assert.equal(refused.status, 401);
    const requestId = refused.headers.get('x-request-id');
    assert.ok(requestId !== null);
    const row = page.locator(`[data-testid=decision-row][data-request-id="${requestId}"]`);
    await row.waitFor({ timeout: STEP_MS });
    assert.equal(await row.getAttribute('data-decision'), 'deny');
    assert.equal(await row.getAttribute('data-reason'), 'bad_signature');
    assert.match((await row.textContent()) ?? '', /refused.*bad_signature.*orders.*\/orders\/refused-now/);
    await screenshot(page, 'decisions');
  });

  it('debugs a bad token: the failing check and the 401 verdict', async () => {
    const token = (await signIn(issuerHarness(running), { userId: await userId(running, 'alice'), scope: 'openid orders:read', audience: 'orders' })).access_token as string;
    await page.getByTestId('nav-debugger').click();
    await page.getByTestId('debugger-input').fill(tamper(token));
    await page.getByTestId('debugger-route').selectOption('orders');
    await page.getByTestId('debugger-submit').click();
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor({ timeout: STEP_MS });
    assert.equal(await verdict.getAttribute('data-status'), '401');
    assert.equal(await verdict.getAttribute('data-reason'), 'bad_signature');
    const failed = page.locator('[data-testid=check-row][data-status=fail]');
    assert.equal(await failed.count(), 1);
    assert.equal(await failed.getAttribute('data-check'), 'signature');
    assert.equal(await failed.getAttribute('data-reason'), 'bad_signature');
    assert.equal(await page.locator('[data-testid=check-row][data-check=form]').getAttribute('data-status'), 'pass');
    await screenshot(page, 'debugger');
  });

  it('revokes a session, and the next request with its token is refused at the gateway', async () => {
    const tokens = await signIn(issuerHarness(running), { userId: await userId(running, 'alice'), scope: 'openid offline_access orders:read', audience: 'orders' });
    const accessToken = tokens.access_token as string;
    assert.equal((await callGateway('/orders/before-revoke', accessToken)).status, 200);
    const sid = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString('utf8')).sid as string;
    assert.equal(typeof sid, 'string');

    await page.getByTestId('nav-sessions').click();
    const row = page.locator(`[data-testid=session-row][data-session-id="${sid}"]`);
    await row.waitFor({ timeout: STEP_MS });
    assert.equal(await row.getAttribute('data-state'), 'active');
    await page.getByTestId(`session-revoke-${sid}`).click();
    await page.locator(`[data-testid=session-row][data-session-id="${sid}"]:not([data-state=active])`).waitFor({ timeout: STEP_MS });
    await page.getByTestId('notice').waitFor({ timeout: STEP_MS });

    const after = await callGateway('/orders/after-revoke', accessToken);
    assert.equal(after.status, 401);
    assert.match(after.headers.get('www-authenticate') ?? '', /invalid_token/);
    await screenshot(page, 'sessions');
  });

  it('rotates a key: the new key shows as pending', async () => {
    await page.getByTestId('nav-keys').click();
    await page.locator('[data-testid=key-row][data-state=active]').waitFor({ timeout: STEP_MS });
    assert.equal(await page.locator('[data-testid=key-row][data-state=pending]').count(), 0);
    const before = await page.getByTestId('key-row').count();
    await page.getByTestId('key-rotate').click();
    await page.locator('[data-testid=key-row][data-state=pending]').waitFor({ timeout: STEP_MS });
    assert.equal(await page.getByTestId('key-row').count(), before + 1);
    await screenshot(page, 'keys');
  });

  it('revokes a key in an emergency only once its kid is typed', async () => {
    const kid = (await page.locator('[data-testid=key-row][data-state=pending]').getAttribute('data-kid'))!;
    await page.getByTestId(`key-revoke-${kid}`).click();
    const confirm = page.getByTestId('confirm-submit');
    assert.equal(await confirm.isDisabled(), true);
    await page.getByTestId('confirm-input').fill(kid.slice(0, -1));
    assert.equal(await confirm.isDisabled(), true);
    await page.getByTestId('confirm-input').fill(kid);
    await confirm.click();
    await page.getByTestId('confirm-dialog').waitFor({ state: 'detached' });
    await page.locator(`[data-testid=key-row][data-kid="${kid}"][data-state=pending]`).waitFor({ state: 'detached' });
    assert.ok(running.issuer.services.keys.records().some((record) => record.kid === kid && record.state === 'revoked'), 'the key is revoked in the key manager');
  });

  it('lists users and clients, shows a new client\'s secret once, and simulates a policy decision', async () => {
    await page.getByTestId('nav-users').click();
    await page.locator('[data-testid=user-row][data-username=eve]').waitFor({ timeout: STEP_MS });
    await screenshot(page, 'users');

    await page.getByTestId('nav-clients').click();
    await page.locator('[data-testid=client-row][data-client-id=web]').waitFor({ timeout: STEP_MS });
    await page.getByTestId('client-add-id').fill('reports-svc');
    await page.getByTestId('client-add-scopes').fill('orders:read');
    await page.getByTestId('client-add-audiences').fill('orders');
    await page.getByTestId('client-add-roles').fill('reporting');
    await page.getByTestId('client-add-submit').click();
    const secret = page.getByTestId('client-secret');
    await secret.waitFor({ timeout: STEP_MS });
    assert.ok(((await secret.textContent()) ?? '').length >= 32, 'a secret of at least 32 characters');
    await page.locator('[data-testid=client-row][data-client-id=reports-svc]').waitFor({ timeout: STEP_MS });
    await screenshot(page, 'clients');

    await page.getByTestId('nav-policy').click();
    await page.getByTestId('policy-route').selectOption('orders');
    await page.getByTestId('policy-path').fill('/orders/42');
    await page.getByTestId('policy-submit').click();
    const decision = page.getByTestId('policy-decision');
    await decision.waitFor({ timeout: STEP_MS });
    assert.equal(await decision.getAttribute('data-decision'), 'allow');
    await screenshot(page, 'policy');
  });

  it('refuses a user without the admin role (403)', async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    try {
      const evePage = await watchedPage(context, problems);
      await evePage.goto(consoleUrl);
      const callback = evePage.waitForResponse((response) => new URL(response.url()).pathname === '/console/callback', { timeout: STEP_MS });
      await signInAtIssuer(evePage, 'eve');
      assert.equal((await callback).status(), 403);
      // Nothing of the console opens: its API refuses the browser too.
      const session = await evePage.request.get(`${consoleUrl}api/session`);
      assert.ok(session.status() === 401 || session.status() === 403, `GET /console/api/session answered ${session.status()}`);
    } finally {
      await context.close();
    }
  });

  it('breaks no rule of the console\'s Content Security Policy and throws no script error', () => {
    assert.deepEqual(problems, []);
  });
});

/** A page whose CSP violations and script errors are collected. */
async function watchedPage(context: BrowserContext, problems: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
  return page;
}

/** The issuer's sign-in form, as a person fills it in. */
async function signInAtIssuer(page: Page, username: string): Promise<void> {
  const field = page.locator('input[name=username]');
  try {
    await field.waitFor({ timeout: STEP_MS });
  } catch (error) {
    throw new Error(`no sign-in form at ${page.url()}: ${(await page.locator('body').textContent().catch(() => '')) ?? ''}`, { cause: error });
  }
  await field.fill(username);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.locator('button[type=submit]').click();
}

async function screenshot(page: Page, name: string): Promise<void> {
  // The overview and decisions poll: let a frame settle before the picture.
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** What the token helpers use of an issuer harness: its services (store, clock, token URL). */
function issuerHarness(gatehouse: RunningGatehouse): IssuerHarness {
  return { services: gatehouse.issuer.services } as unknown as IssuerHarness;
}

async function userId(gatehouse: RunningGatehouse, username: string): Promise<string> {
  const user = await gatehouse.issuer.services.store.users.findByUsername(username);
  assert.ok(user !== undefined, `user ${username}`);
  return user.id;
}

/** The same token with one signature byte changed: well formed, signed by nobody. */
function tamper(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

/** The gateway's URL once started. */
let gatewayUrl = '';
async function callGateway(path: string, token: string): Promise<Response> {
  const response = await fetch(`${gatewayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response;
}
