/**
 * Header hygiene through the data plane, checked on the wire at the upstream and at the client:
 * hop-by-hop fields both ways, spoofed identity headers, X-Forwarded-*, Host, request ids.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestContext } from '../../src/gateway/forward/index.ts';
import { withoutGatehouseCookies } from '../../src/gateway/forward/upstream-request-headers.ts';
import { forwardTo, send, serversClosedAfterTests, type DataPlaneHarness } from './support/data-plane-harness.ts';
import { headerValues, type Echo } from './support/test-upstream.ts';

/** A guard against a regression that hangs a test, not an assertion on speed. */
const GUARD = { timeout: 60_000 };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const { upstream, plane } = serversClosedAfterTests();

/** Sends through the gateway and returns what the upstream saw. */
async function echoed(gateway: DataPlaneHarness<unknown>, headers: string[], options: { method?: string; body?: string } = {}): Promise<{ echo: Echo; reply: Awaited<ReturnType<typeof send>> }> {
  const reply = await send(gateway.port, { path: '/h', headers, ...options });
  assert.equal(reply.status, 200, reply.body.toString());
  return { echo: JSON.parse(reply.body.toString()) as Echo, reply };
}

function lowerNames(rawHeaders: readonly string[]): string[] {
  return rawHeaders.filter((_, index) => index % 2 === 0).map((name) => name.toLowerCase());
}

describe('hop-by-hop headers', GUARD, () => {
  it('are removed from the request, with every header its Connection names', async () => {
    const target = await upstream();
    const gateway = await plane({ decide: () => forwardTo(target.url) });

    const { echo } = await echoed(
      gateway,
      [
        'Connection', 'keep-alive, X-Hop-Custom, x-other-hop',
        'X-Hop-Custom', 'named by Connection',
        'X-Other-Hop', 'named by Connection too',
        'Keep-Alive', 'timeout=5',
        'Proxy-Connection', 'keep-alive',
        'TE', 'trailers',
        'Trailer', 'X-Checksum',
        'Upgrade', 'h2c',
        'Proxy-Authorization', 'Basic cHJveHk6c2VjcmV0',
        'Accept', 'application/json',
        'X-End-To-End', 'kept',
        'Content-Type', 'text/plain',
      ],
      { method: 'POST', body: 'hello' },
    );

    assert.deepEqual(lowerNames(echo.rawHeaders).sort(), [
      'accept',
      'connection', // undici's own, for its keep-alive connection
      'content-length',
      'content-type',
      'host',
      'x-end-to-end',
      'x-forwarded-for',
      'x-forwarded-host',
      'x-forwarded-proto',
      'x-request-id',
    ]);
    assert.deepEqual(headerValues(echo.rawHeaders, 'connection'), ['keep-alive']);
    assert.deepEqual(headerValues(echo.rawHeaders, 'x-end-to-end'), ['kept']);
    assert.equal(echo.bodyLength, 5);
  });

  it('are removed from the response, with every header its Connection names', async () => {
    const target = await upstream({
      handler: (_request, response) => {
        response.setHeader('Connection', 'keep-alive, X-Upstream-Hop');
        response.setHeader('X-Upstream-Hop', 'named by Connection');
        response.setHeader('Keep-Alive', 'timeout=60');
        response.setHeader('Proxy-Authenticate', 'Basic realm="upstream"');
        response.setHeader('Proxy-Connection', 'keep-alive');
        response.setHeader('Trailer', 'Expires');
        response.setHeader('Upgrade', 'h2c');
        response.setHeader('TE', 'trailers');
        response.setHeader('X-End-To-End', 'kept');
        response.end('ok');
      },
    });
    const gateway = await plane({ decide: () => forwardTo(target.url) });

    // agent: false sends Connection: close, so the gateway's own answer adds no Keep-Alive.
    const reply = await send(gateway.port, { path: '/' });

    assert.equal(reply.body.toString(), 'ok');
    // Transfer-Encoding: the gateway's own framing (the upstream's chunked one was removed with the rest).
    assert.deepEqual(lowerNames(reply.rawHeaders).sort(), ['connection', 'date', 'transfer-encoding', 'x-end-to-end', 'x-request-id']);
    assert.equal(reply.headers.connection, 'close', "the gateway's own Connection, for the client's connection");
  });

  it('are removed from a chunked response, which the gateway frames again itself', async () => {
    const target = await upstream({
      handler: (_request, response) => {
        response.write('chunk one, ');
        response.end('chunk two');
      },
    });
    const gateway = await plane({ decide: () => forwardTo(target.url) });

    const reply = await send(gateway.port, { path: '/' });

    assert.equal(reply.body.toString(), 'chunk one, chunk two');
    assert.deepEqual(headerValues(reply.rawHeaders, 'transfer-encoding'), ['chunked']);
  });
});

describe('identity headers', GUARD, () => {
  const spoofed = [
    'X-Gatehouse-User', 'mallory',
    'x-gatehouse-user', 'mallory-again',
    'X-GATEHOUSE-ROLES', 'admin',
    'X-Gatehouse-Assertion', 'forged.assertion.value',
    'X-Gatehouse-Anything-New', 'future header',
    'X-User-Id', 'u-mallory',
    'x-roles', 'admin',
    'X-Forwarded-User', 'mallory',
    'X-Forwarded-Email', 'mallory@example.com',
    'X-Tenant', 'other-tenant',
    // Underscore spellings, which CGI-style servers (WSGI, Rack, PHP) read as the dashed names.
    'X_Gatehouse_Sub', 'mallory',
    'x_forwarded_for', '10.0.0.1',
    'X_User_Id', 'u-mallory',
    // Asking the gateway to drop the header it injects, as a hop-by-hop one.
    'Connection', 'keep-alive, X-Gatehouse-User, X-User-Id',
  ];

  it('every spoofed one is removed and only the injected ones arrive', async () => {
    const target = await upstream();
    const gateway = await plane({
      stripHeaders: ['X-User-Id', 'x-roles'],
      decide: () =>
        forwardTo(
          target.url,
          { 'X-Gatehouse-User': 'alice', 'X-Gatehouse-Assertion': 'signed.upstream.assertion', 'x-user-id': 'u-alice' },
          { stripHeaders: ['X-TENANT'] },
        ),
    });

    const { echo } = await echoed(gateway, spoofed);

    const seen = (name: string) => headerValues(echo.rawHeaders, name);
    assert.deepEqual(seen('x-gatehouse-user'), ['alice']);
    assert.deepEqual(seen('x-gatehouse-assertion'), ['signed.upstream.assertion']);
    assert.deepEqual(seen('x-user-id'), ['u-alice'], 'injected, though configured to be stripped from clients');
    for (const name of ['x-gatehouse-roles', 'x-gatehouse-anything-new', 'x-roles', 'x-forwarded-user', 'x-forwarded-email', 'x-tenant', 'x_gatehouse_sub', 'x_forwarded_for', 'x_user_id']) {
      assert.deepEqual(seen(name), [], `${name} reached the upstream`);
    }
  });

  it('are stripped even when the verdict injects nothing', async () => {
    const target = await upstream();
    const gateway = await plane({ stripHeaders: ['X-User-Id', 'x-roles'], decide: () => forwardTo(target.url) });

    const { echo } = await echoed(gateway, spoofed);

    assert.deepEqual(
      lowerNames(echo.rawHeaders).filter((name) => name.startsWith('x-') && !['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-request-id'].includes(name)),
      ['x-tenant'], // stripped only where a verdict asks
    );
  });

  it('a verdict injecting a header the data plane owns is refused with 500, before the upstream', async () => {
    const target = await upstream();
    const injected: Record<string, string>[] = [{ 'X-Forwarded-For': '10.0.0.1' }, { Host: 'elsewhere' }, { 'x-request-id': 'mine' }, { 'Transfer-Encoding': 'chunked' }, { 'content-length': '0' }, { 'X-Bad': 'line\r\nInjected: yes' }];
    let next = 0;
    const gateway = await plane({ decide: () => forwardTo(target.url, injected[next++]!) });

    for (const _ of injected) {
      const reply = await send(gateway.port, { path: '/' });
      assert.equal(reply.status, 500);
      assert.equal(reply.body.toString(), '{"error":"server_error"}');
    }
    const records = await gateway.recorded(injected.length);
    assert.deepEqual(new Set(records.map((record) => record.failure)), new Set(['verdict_invalid']));
    assert.equal(target.requests.length, 0);
  });
});

describe('the gateway\'s own cookies', GUARD, () => {
  it('never reach the upstream; the application\'s cookies do, in order', async () => {
    const target = await upstream();
    const gateway = await plane({ decide: () => forwardTo(target.url) });
    const { echo } = await echoed(gateway, [
      'Cookie', 'theme=dark; __Host-gatehouse-access=eyJ.a.b; lang=en; __Host-gatehouse-login=sealed',
      'Cookie', '__Secure-gatehouse-refresh=r1',
    ]);
    assert.deepEqual(headerValues(echo.rawHeaders, 'cookie'), ['theme=dark; lang=en']);
  });

  it('a Cookie header holding only ours is dropped; names are compared as browsers send them', () => {
    assert.equal(withoutGatehouseCookies('__Host-gatehouse-access=x'), '');
    assert.equal(withoutGatehouseCookies('a=1;__Host-gatehouse-access=x;b=2'), 'a=1; b=2');
    assert.equal(withoutGatehouseCookies('session=abc'), 'session=abc');
    assert.equal(withoutGatehouseCookies('__host-gatehouse-access=x; my-gatehouse-pref=1'), '__host-gatehouse-access=x; my-gatehouse-pref=1');
  });
});

describe('X-Forwarded-* and Host', GUARD, () => {
  const claims = [
    'Host', 'api.example.com',
    'X-Forwarded-For', '6.6.6.6, 7.7.7.7',
    'X-Forwarded-Proto', 'https',
    'X-Forwarded-Host', 'evil.example',
    'X-Forwarded-Port', '443',
    'X-Forwarded-Prefix', '/admin',
    'Forwarded', 'for=6.6.6.6;proto=https;host=evil.example',
    'X-Real-IP', '6.6.6.6',
  ];

  it('client values are replaced: the socket peer, our scheme, the Host; the upstream gets its own host', async () => {
    const target = await upstream();
    const gateway = await plane({ decide: () => forwardTo(target.url) });

    const { echo } = await echoed(gateway, claims);

    const seen = (name: string) => headerValues(echo.rawHeaders, name);
    assert.deepEqual(seen('x-forwarded-for'), ['127.0.0.1']);
    assert.deepEqual(seen('x-forwarded-proto'), ['http']);
    assert.deepEqual(seen('x-forwarded-host'), ['api.example.com']);
    assert.deepEqual(seen('host'), [`127.0.0.1:${target.port}`]);
    for (const name of ['x-forwarded-port', 'x-forwarded-prefix', 'forwarded', 'x-real-ip']) assert.deepEqual(seen(name), [], name);
  });

  it("a verdict may keep the client's Host", async () => {
    const target = await upstream();
    const gateway = await plane({ decide: () => forwardTo(target.url, {}, { preserveHost: true }) });

    const { echo } = await echoed(gateway, ['Host', 'api.example.com']);

    assert.deepEqual(headerValues(echo.rawHeaders, 'host'), ['api.example.com']);
    assert.deepEqual(headerValues(echo.rawHeaders, 'x-forwarded-host'), ['api.example.com']);
  });

  async function throughTrustedProxy(trustForwardedFrom: string[], headers: string[]): Promise<{ forwardedFor: string[]; proto: string[]; host: string[]; context: RequestContext }> {
    const target = await upstream();
    let context: RequestContext | undefined;
    const gateway = await plane({
      trustForwardedFrom,
      decide: (_request, given) => {
        context = given;
        return forwardTo(target.url);
      },
    });
    const { echo } = await echoed(gateway, headers);
    return { forwardedFor: headerValues(echo.rawHeaders, 'x-forwarded-for'), proto: headerValues(echo.rawHeaders, 'x-forwarded-proto'), host: headerValues(echo.rawHeaders, 'x-forwarded-host'), context: context! };
  }

  it('from a trusted peer, X-Forwarded-For is walked from the right to the first untrusted hop; hops beyond it are dropped', async () => {
    const headers = ['Host', 'internal:8080', 'X-Forwarded-For', '203.0.113.9, 198.51.100.7', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'api.example.com'];

    const oneHop = await throughTrustedProxy(['127.0.0.1'], headers);
    assert.deepEqual(oneHop.forwardedFor, ['198.51.100.7, 127.0.0.1']);
    assert.equal(oneHop.context.clientIp, '198.51.100.7');
    assert.deepEqual(oneHop.proto, ['https']);
    assert.deepEqual(oneHop.host, ['api.example.com']);

    const twoHops = await throughTrustedProxy(['127.0.0.0/8', '198.51.100.0/24'], headers);
    assert.deepEqual(twoHops.forwardedFor, ['203.0.113.9, 198.51.100.7, 127.0.0.1']);
    assert.equal(twoHops.context.clientIp, '203.0.113.9');
  });

  it('from a trusted peer, a hop that is not an IP address ends the walk', async () => {
    const result = await throughTrustedProxy(['127.0.0.1', '198.51.100.0/24'], ['X-Forwarded-For', '203.0.113.9, unknown, 198.51.100.7', 'X-Forwarded-Proto', 'gopher']);
    assert.deepEqual(result.forwardedFor, ['198.51.100.7, 127.0.0.1']);
    assert.equal(result.context.clientIp, '198.51.100.7');
    assert.deepEqual(result.proto, ['http'], 'only http or https is believed');
  });

  it('from a peer that is not trusted, everything is replaced as without trust', async () => {
    const result = await throughTrustedProxy(['10.0.0.0/8'], ['Host', 'api.example.com', 'X-Forwarded-For', '203.0.113.9', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'evil.example']);
    assert.deepEqual(result.forwardedFor, ['127.0.0.1']);
    assert.equal(result.context.clientIp, '127.0.0.1');
    assert.deepEqual(result.proto, ['http']);
    assert.deepEqual(result.host, ['api.example.com']);
  });

  it('refuses trust entries that are not addresses or ranges, and other invalid options, when created', async () => {
    const { createDataPlane } = await import('../../src/gateway/data-plane.ts');
    const decide = () => forwardTo('http://127.0.0.1:1');
    assert.throws(() => createDataPlane({ decide, trustForwardedFrom: ['10.0.0.0/33'] }), /trustForwardedFrom/);
    assert.throws(() => createDataPlane({ decide, trustForwardedFrom: ['lb.internal'] }), /trustForwardedFrom/);
    assert.throws(() => createDataPlane({ decide, stripHeaders: ['X User'] }), /stripHeaders/);
    assert.throws(() => createDataPlane({ decide, upstreamTimeouts: { headersMs: 0 } }), /headersMs/);
    assert.throws(() => createDataPlane({ decide, clientTimeouts: { headersMs: 5000, requestMs: 1000 } }), /requestMs/);
  });
});

describe('request ids', GUARD, () => {
  it('each request gets a fresh random id, sent upstream and back; the client and upstream ones are replaced', async () => {
    const target = await upstream({
      handler: (request, response) => {
        response.setHeader('X-Request-Id', 'upstream-chosen');
        response.end(JSON.stringify({ rawHeaders: request.rawHeaders }));
      },
    });
    const gateway = await plane({ decide: () => forwardTo(target.url) });

    const first = await send(gateway.port, { headers: ['X-Request-Id', 'attacker-chosen', 'x-request-id', 'another'] });
    const second = await send(gateway.port, { headers: ['X-Request-Id', 'attacker-chosen'] });

    for (const reply of [first, second]) {
      const upstreamSaw = headerValues((JSON.parse(reply.body.toString()) as { rawHeaders: string[] }).rawHeaders, 'x-request-id');
      assert.deepEqual(headerValues(reply.rawHeaders, 'x-request-id'), upstreamSaw);
      assert.match(upstreamSaw[0]!, UUID);
    }
    assert.notEqual(first.headers['x-request-id'], second.headers['x-request-id']);
    const records = await gateway.recorded(2);
    assert.deepEqual(records.map((record) => record.requestId).sort(), [first.headers['x-request-id'], second.headers['x-request-id']].sort());
  });

  it('refusals and failures carry one too', async () => {
    const gateway = await plane({ decide: (request) => (request.url === '/refused' ? { kind: 'respond', status: 403 } : forwardTo('not a url')) });

    const refused = await send(gateway.port, { path: '/refused' });
    const failed = await send(gateway.port, { path: '/failed' });

    assert.equal(refused.status, 403);
    assert.equal(failed.status, 500);
    assert.match(String(refused.headers['x-request-id']), UUID);
    assert.match(String(failed.headers['x-request-id']), UUID);
  });
});
