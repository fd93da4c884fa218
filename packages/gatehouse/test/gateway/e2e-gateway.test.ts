/**
 * The assembled gateway end to end: a real issuer, a real upstream that records what it receives,
 * openGateway on 127.0.0.1. Every refusal is checked twice: generic on the wire, precise in the
 * decision line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { createAssertionVerifier, createRemoteKeySource, type RemoteKeySource } from '@gatehouse/verify';
import { ASSERTION_TYP } from '../../src/gateway/assertion/mint-upstream-assertion.ts';
import { send, openSocket, readUntil, parseHead } from './support/data-plane-harness.ts';
import { startGatewayHarness, STANDARD_ROUTES, type GatewayHarness } from './support/e2e-gateway-harness.ts';
import { headerValues } from './support/test-upstream.ts';
import { encodeFrame, FrameReader, websocketKey } from './support/websocket-frames.ts';

let h: GatewayHarness;
let token: string;
const sources: RemoteKeySource[] = [];

before(async () => {
  h = await startGatewayHarness();
  token = await h.billingToken();
});

after(async () => {
  await Promise.all(sources.map((source) => source.close()));
  await h?.close();
});

const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
const json = (body: Buffer): unknown => JSON.parse(body.toString('utf8'));
const jwksUri = () => `${h.issuer.url}/.well-known/jwks.json`;

/** The upstream's record of the request it received last. */
const lastReceived = () => h.upstream.requests.at(-1)!;

describe('an allowed request', () => {
  it('reaches the upstream with the identity headers and an assertion that jose and the SDK both verify', async () => {
    const reply = await send(h.gatewayPort, { path: '/orders/42?page=2', headers: bearer(token) });
    assert.equal(reply.status, 200);
    const received = lastReceived();
    assert.equal(received.url, '/orders/42?page=2');
    assert.deepEqual(headerValues(received.rawHeaders, 'x-gatehouse-sub'), ['billing-svc']);
    assert.deepEqual(headerValues(received.rawHeaders, 'x-gatehouse-client-id'), ['billing-svc']);
    assert.deepEqual(headerValues(received.rawHeaders, 'x-gatehouse-roles'), ['billing']);
    assert.deepEqual(headerValues(received.rawHeaders, 'x-gatehouse-scope'), ['orders:read']);
    const [assertion] = headerValues(received.rawHeaders, 'x-gatehouse-assertion');
    assert.ok(assertion !== undefined);
    // The token the gateway consumed stays with it (forwardToken defaults to false): the assertion is what proves the gateway.
    assert.notEqual(assertion, token);
    assert.deepEqual(headerValues(received.rawHeaders, 'authorization'), []);

    const { payload, protectedHeader } = await jwtVerify(assertion, createRemoteJWKSet(new URL(jwksUri())), {
      issuer: h.issuer.url,
      audience: 'orders',
      typ: ASSERTION_TYP,
      maxTokenAge: '60s',
    });
    assert.equal(protectedHeader.typ, ASSERTION_TYP);
    assert.equal(payload.sub, 'billing-svc');
    assert.equal(payload.gh_route, 'orders');
    assert.equal(payload.token_jti, (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { jti: string }).jti);
    assert.equal(payload.token_iss, h.issuer.url);
    assert.equal(payload.exp! - payload.iat!, 30);
    assert.deepEqual(payload.roles, ['billing']);

    const keys = createRemoteKeySource(jwksUri());
    sources.push(keys);
    const verifier = createAssertionVerifier({ issuer: h.issuer.url, keys, audience: 'orders' });
    const checked = await verifier.gatewayIdentity(received.request);
    assert.equal(checked.ok, true, checked.ok ? undefined : `${checked.reason}: ${checked.detail}`);

    const line = await h.lineFor(reply.headers['x-request-id']);
    assert.equal(line.decision, 'allow');
    assert.equal(line.route, 'orders');
    assert.equal(line.path, '/orders/42');
    assert.equal(line.sub, 'billing-svc');
    assert.equal(line.client_id, 'billing-svc');
    assert.equal(typeof line.jti, 'string');
    assert.equal(typeof line.kid, 'string');
    assert.equal(line.reason, null);
    assert.equal(line.rule_id, 'allow[0]');
    assert.equal(line.upstream_status, 200);
  });

  it('reuses one assertion per token and route while it is young; another token gets its own', async () => {
    const assertionOf = async (credential: string) => {
      const reply = await send(h.gatewayPort, { path: '/orders/1', headers: bearer(credential) });
      assert.equal(reply.status, 200);
      return headerValues(lastReceived().rawHeaders, 'x-gatehouse-assertion')[0];
    };
    const first = await assertionOf(token);
    assert.equal(await assertionOf(token), first);
    const other = await h.billingToken();
    assert.notEqual(other, token);
    const second = await assertionOf(other);
    assert.notEqual(second, first);
    assert.equal(await assertionOf(other), second);
  });

  it('forwards the Authorization header only on a route with forwardToken: true', async () => {
    const reply = await send(h.gatewayPort, { path: '/passthrough/1', headers: bearer(token) });
    assert.equal(reply.status, 200);
    assert.deepEqual(headerValues(lastReceived().rawHeaders, 'authorization'), [`Bearer ${token}`]);
    assert.equal(headerValues(lastReceived().rawHeaders, 'x-gatehouse-assertion').length, 1);
  });

  it('streams a POST body to the upstream', async () => {
    const reply = await send(h.gatewayPort, { method: 'POST', path: '/orders', headers: { ...bearer(token), 'content-type': 'text/plain' }, body: 'hello upstream' });
    assert.equal(reply.status, 200);
    assert.equal((json(reply.body) as { bodyLength: number }).bodyLength, 'hello upstream'.length);
  });

  it('never lets a spoofed X-Gatehouse-* or a configured identity header reach the upstream', async () => {
    const reply = await send(h.gatewayPort, {
      path: '/orders/7',
      headers: [
        'Authorization', `Bearer ${token}`,
        'X-Gatehouse-Sub', 'root',
        'x-gatehouse-roles', 'admin',
        'X-GATEHOUSE-ASSERTION', 'forged',
        'X-Gatehouse-Anything', 'planted',
        'X-User-Id', 'root',
        'X-Forwarded-For', '10.0.0.1',
      ],
    });
    assert.equal(reply.status, 200);
    const raw = lastReceived().rawHeaders;
    assert.deepEqual(headerValues(raw, 'x-gatehouse-sub'), ['billing-svc']);
    assert.deepEqual(headerValues(raw, 'x-gatehouse-roles'), ['billing']);
    assert.equal(headerValues(raw, 'x-gatehouse-assertion').length, 1);
    assert.notEqual(headerValues(raw, 'x-gatehouse-assertion')[0], 'forged');
    assert.deepEqual(headerValues(raw, 'x-gatehouse-anything'), []);
    assert.deepEqual(headerValues(raw, 'x-user-id'), []);
    assert.deepEqual(headerValues(raw, 'x-forwarded-for'), ['127.0.0.1']);
  });
});

describe('refusals: generic on the wire, precise in the decision line, never forwarded', () => {
  async function refused(options: Parameters<typeof send>[1]) {
    const before = h.upstream.requests.length + h.upstream.upgrades.length;
    const reply = await send(h.gatewayPort, options);
    const line = await h.lineFor(reply.headers['x-request-id']);
    assert.equal(h.upstream.requests.length + h.upstream.upgrades.length, before, 'the upstream must not see a refused request');
    assert.equal(line.decision, 'deny');
    assert.equal(line.upstream_status, null);
    return { reply, line };
  }

  it('no credential: 401 with a bare Bearer challenge', async () => {
    const { reply, line } = await refused({ path: '/orders/1' });
    assert.equal(reply.status, 401);
    assert.equal(reply.headers['www-authenticate'], 'Bearer realm="gatehouse"');
    assert.deepEqual(json(reply.body), { error: 'unauthenticated' });
    assert.equal(line.reason, 'unauthenticated');
    assert.equal(line.route, 'orders');
    assert.equal(line.sub, null);
  });

  it('a forged signature: 401 invalid_token; the line has the reason and kid but not the unverified sub', async () => {
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${payload}.${signature!.startsWith('A') ? 'B' : 'A'}${signature!.slice(1)}`;
    const { reply, line } = await refused({ path: '/orders/1', headers: bearer(forged) });
    assert.equal(reply.status, 401);
    assert.equal(reply.headers['www-authenticate'], 'Bearer realm="gatehouse", error="invalid_token"');
    assert.deepEqual(json(reply.body), { error: 'invalid_token' });
    assert.equal(line.reason, 'bad_signature');
    assert.equal(typeof line.kid, 'string');
    assert.equal(line.sub, null);
    assert.equal(line.jti, null);
  });

  it('garbage: 401 invalid_token, malformed_token in the line', async () => {
    const { reply, line } = await refused({ path: '/orders/1', headers: bearer('not-a-jwt') });
    assert.equal(reply.status, 401);
    assert.deepEqual(json(reply.body), { error: 'invalid_token' });
    assert.equal(line.reason, 'malformed_token');
  });

  it('a token for another audience: 401 invalid_token; verified, so the line names its subject', async () => {
    const other = await h.issuer.services.mintAccessToken({ subject: 'alice', audience: 'app', clientId: 'web', roles: ['billing'] });
    const { reply, line } = await refused({ path: '/orders/1', headers: bearer(other.token) });
    assert.equal(reply.status, 401);
    assert.equal(reply.headers['www-authenticate'], 'Bearer realm="gatehouse", error="invalid_token"');
    assert.deepEqual(json(reply.body), { error: 'invalid_token' });
    assert.equal(line.reason, 'wrong_audience');
    assert.equal(line.sub, 'alice');
    assert.equal(line.jti, other.jti);
  });

  it('forbidden by policy: 403 insufficient_scope, the policy reason in the line', async () => {
    const { reply, line } = await refused({ path: '/admin/users', headers: bearer(token) });
    assert.equal(reply.status, 403);
    assert.equal(reply.headers['www-authenticate'], 'Bearer realm="gatehouse", error="insufficient_scope"');
    assert.deepEqual(json(reply.body), { error: 'insufficient_scope' });
    assert.equal(line.reason, 'no_allow_rule_matched');
    assert.equal(line.route, 'admin');
    assert.equal(line.sub, 'billing-svc');
  });

  it('no route: 404, no_route in the line', async () => {
    const { reply, line } = await refused({ path: '/nowhere', headers: bearer(token) });
    assert.equal(reply.status, 404);
    assert.deepEqual(json(reply.body), { error: 'not_found' });
    assert.equal(reply.headers['www-authenticate'], undefined);
    assert.equal(line.reason, 'no_route');
    assert.equal(line.route, null);
  });

  it('a method the route does not allow: the same 404, method_not_allowed in the line', async () => {
    const { reply, line } = await refused({ method: 'DELETE', path: '/orders/1', headers: bearer(token) });
    assert.equal(reply.status, 404);
    assert.deepEqual(json(reply.body), { error: 'not_found' });
    assert.equal(line.reason, 'method_not_allowed');
  });

  it('an ambiguous path: 400, bad_path in the line', async () => {
    const { reply, line } = await refused({ path: '/orders/%2e%2e/admin/x', headers: bearer(token) });
    assert.equal(reply.status, 400);
    assert.deepEqual(json(reply.body), { error: 'bad_request' });
    assert.equal(line.reason, 'bad_path');
  });
});

describe('revocation', () => {
  it('takes effect on the very next request', async () => {
    const minted = await h.issuer.services.mintAccessToken({ subject: 'carol', audience: 'orders', clientId: 'billing-svc', roles: ['billing'] });
    assert.equal((await send(h.gatewayPort, { path: '/orders/1', headers: bearer(minted.token) })).status, 200);
    await h.issuer.services.revoker.revoke({ kind: 'token', value: minted.jti, expiresAt: minted.exp * 1000, reason: 'test' });
    const reply = await send(h.gatewayPort, { path: '/orders/1', headers: bearer(minted.token) });
    assert.equal(reply.status, 401);
    assert.deepEqual(json(reply.body), { error: 'invalid_token' });
    const line = await h.lineFor(reply.headers['x-request-id']);
    assert.equal(line.reason, 'token_revoked');
    assert.equal(line.jti, minted.jti);
  });
});

describe('WebSocket through the gateway', () => {
  async function upgrade(headers: string[]): Promise<{ status: number; headers: Map<string, string[]>; socket: Awaited<ReturnType<typeof openSocket>>; rest: Buffer }> {
    const socket = await openSocket(h.gatewayPort);
    socket.write(['GET /ws/chat HTTP/1.1', `Host: 127.0.0.1:${h.gatewayPort}`, 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${websocketKey()}`, ...headers, '', ''].join('\r\n'));
    const received = await readUntil(socket, (bytes) => bytes.includes('\r\n\r\n'));
    const end = received.indexOf('\r\n\r\n') + 4;
    const head = parseHead(received.subarray(0, end).toString('latin1'));
    return { status: head.status, headers: head.headers, socket, rest: received.subarray(end) };
  }

  it('tunnels with a valid token: frames echo back, and the upstream saw the identity', async () => {
    const { status, socket, rest } = await upgrade([`Authorization: Bearer ${token}`]);
    assert.equal(status, 101);
    const upstreamSaw = h.upstream.upgrades.at(-1)!;
    assert.deepEqual(headerValues(upstreamSaw.rawHeaders, 'x-gatehouse-sub'), ['billing-svc']);
    assert.equal(headerValues(upstreamSaw.rawHeaders, 'x-gatehouse-assertion').length, 1);
    const reader = new FrameReader();
    const early = rest.length > 0 ? reader.push(rest) : [];
    assert.deepEqual(early, []);
    socket.write(encodeFrame(0x1, 'ping through the gateway', true));
    const echoed = await readUntil(socket, (bytes) => new FrameReader().push(bytes).length > 0);
    const [frame] = reader.push(echoed);
    assert.equal(frame!.payload.toString(), 'ping through the gateway');
    socket.destroy();
  });

  it('is refused without a token, and the upstream never sees the upgrade', async () => {
    const upgradesBefore = h.upstream.upgrades.length;
    const { status, headers, socket } = await upgrade([]);
    assert.equal(status, 401);
    assert.deepEqual(headers.get('www-authenticate'), ['Bearer realm="gatehouse"']);
    assert.equal(h.upstream.upgrades.length, upgradesBefore);
    socket.destroy();
  });
});

describe('hot reload', () => {
  it('swaps in a good file (a new route works) and keeps serving after a bad one', async () => {
    assert.equal((await send(h.gatewayPort, { path: '/billing/1', headers: bearer(token) })).status, 404);
    await h.writeRoutes(`${STANDARD_ROUTES}
  - id: billing
    match: { path: /billing/** }
    upstream: UPSTREAM
    audience: orders
    allow: [ { role: billing } ]
`);
    const good = await h.gateway.reload();
    assert.equal(good.status, 'swapped');
    const reply = await send(h.gatewayPort, { path: '/billing/1', headers: bearer(token) });
    assert.equal(reply.status, 200);
    assert.equal((await h.lineFor(reply.headers['x-request-id'])).route, 'billing');

    await h.writeConfigText('routes: [ { id: broken, match: 12 } ]\nnot: valid: yaml: [');
    const bad = await h.gateway.reload();
    assert.equal(bad.status, 'rejected');
    assert.equal((await send(h.gatewayPort, { path: '/billing/2', headers: bearer(token) })).status, 200);
    assert.equal((await send(h.gatewayPort, { path: '/orders/2', headers: bearer(token) })).status, 200);
    assert.equal(h.gateway.current().config.routes.some((route) => route.id === 'billing'), true);
  });
});

describe('control listener', () => {
  it('/metrics shows the decision counters; /healthz and /readyz answer', async () => {
    const metrics = await fetch(`${h.controlUrl}/metrics`);
    assert.equal(metrics.status, 200);
    const text = await metrics.text();
    assert.match(text, /gatehouse_decisions_total\{route="orders",result="allow",reason="none"\} [1-9]/);
    assert.match(text, /gatehouse_decisions_total\{route="orders",result="deny",reason="unauthenticated"\} [1-9]/);
    assert.match(text, /gatehouse_decisions_total\{route="orders",result="deny",reason="bad_signature"\} [1-9]/);
    assert.match(text, /gatehouse_decisions_total\{route="admin",result="deny",reason="no_allow_rule_matched"\} [1-9]/);
    assert.match(text, /gatehouse_decisions_total\{route="none",result="deny",reason="no_route"\} [1-9]/);
    assert.equal((await fetch(`${h.controlUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${h.controlUrl}/readyz`)).status, 200);
    // The control listener is not the data plane: nothing of it is reachable through the gateway.
    assert.equal((await send(h.gatewayPort, { path: '/metrics' })).status, 404);
  });
});
