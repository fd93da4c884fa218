/**
 * The decision log (DESIGN.md "Audit"): one JSON line per decision with exactly the documented
 * members, never a token or a query string, bounded in size; the field list checked against
 * docs/reference/audit-log.md.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createDecisionLog, decisionLogDestination, DECISION_LOG_FIELDS, type GatewayDecision } from '../../src/audit/decision-log.ts';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0, 125);

const ALLOW: GatewayDecision = {
  requestId: 'req-1',
  route: 'orders',
  method: 'GET',
  path: '/orders/42',
  clientIp: '203.0.113.7',
  sub: 'alice',
  clientId: 'web',
  jti: 'at-jti-1',
  kid: 'kid-1',
  decision: 'allow',
  reason: null,
  ruleId: 'orders.allow[1]',
  upstreamStatus: 200,
  latencyMs: 1.2841234,
};

function capture(): { lines: string[]; log: ReturnType<typeof createDecisionLog> } {
  const lines: string[] = [];
  return { lines, log: createDecisionLog({ destination: { write: (line: string) => void lines.push(line) }, clock: () => T0 }) };
}

describe('createDecisionLog', () => {
  it('writes one JSON line per decision, exactly the documented members in order', () => {
    const { lines, log } = capture();
    log.write(ALLOW);
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.endsWith('\n'));
    assert.equal(lines[0]!.indexOf('\n'), lines[0]!.length - 1);
    const line = JSON.parse(lines[0]!);
    assert.deepEqual(Object.keys(line), [...DECISION_LOG_FIELDS]);
    assert.deepEqual(line, {
      time: '2030-01-01T12:00:00.125Z',
      request_id: 'req-1',
      route: 'orders',
      method: 'GET',
      path: '/orders/42',
      client_ip: '203.0.113.7',
      sub: 'alice',
      client_id: 'web',
      jti: 'at-jti-1',
      kid: 'kid-1',
      decision: 'allow',
      reason: null,
      rule_id: 'orders.allow[1]',
      upstream_status: 200,
      latency_ms: 1.284,
    });
  });

  it('writes every member on a denial too, null where it does not apply', () => {
    const { lines, log } = capture();
    log.write({ requestId: 'req-2', route: null, method: 'POST', path: '/nowhere', clientIp: '::1', decision: 'deny', reason: 'no_route', latencyMs: 0.05 });
    log.write({ ...ALLOW, decision: 'deny', reason: 'token_expired', sub: null, clientId: null, jti: null, ruleId: null, upstreamStatus: null });
    const [first, second] = lines.map((text) => JSON.parse(text));
    assert.deepEqual(Object.keys(first), [...DECISION_LOG_FIELDS]);
    assert.deepEqual(
      { route: first.route, sub: first.sub, client_id: first.client_id, jti: first.jti, kid: first.kid, rule_id: first.rule_id, upstream_status: first.upstream_status, decision: first.decision, reason: first.reason },
      { route: null, sub: null, client_id: null, jti: null, kid: null, rule_id: null, upstream_status: null, decision: 'deny', reason: 'no_route' },
    );
    assert.equal(second.reason, 'token_expired');
    assert.equal(second.kid, 'kid-1');
    assert.equal(second.sub, null);
  });

  it('never writes a query string: the path is cut at the first "?"', () => {
    const { lines, log } = capture();
    log.write({ ...ALLOW, path: '/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz&access_token=eyJhbGciOi' });
    log.write({ ...ALLOW, path: '/reset?' });
    assert.deepEqual(lines.map((text) => JSON.parse(text).path), ['/callback', '/reset']);
    assert.ok(!lines.join('').includes('code='));
    assert.ok(!lines.join('').includes('eyJ'));
  });

  it('keeps one line per decision and bounds its size whatever the request sends', () => {
    const { lines, log } = capture();
    log.write({ ...ALLOW, path: `/a\n{"decision":"allow"}\r\n/${'x'.repeat(10_000)}`, kid: 'k'.repeat(5000), method: 'G\u0000ET', clientIp: '1.2.3.4\n' });
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.split('\n').length, 2); // the content, and the empty string after the final newline
    assert.ok(lines[0]!.length < 3000, `line of ${lines[0]!.length} characters`);
    const line = JSON.parse(lines[0]!);
    assert.equal(line.path.length, 2048);
    assert.ok(line.path.startsWith('/a\n{"decision":"allow"}'));
    assert.equal(line.kid.length, 256);
    assert.equal(line.decision, 'allow');
  });

  it('writes non-numbers as null rather than breaking the line', () => {
    const { lines, log } = capture();
    log.write({ ...ALLOW, latencyMs: Number.NaN, upstreamStatus: 200.5 });
    const line = JSON.parse(lines[0]!);
    assert.equal(line.latency_ms, null);
    assert.equal(line.upstream_status, null);
  });

  it('writes through a pino destination, and flush() writes the buffered lines out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-audit-'));
    try {
      const file = join(dir, 'decisions.log');
      const destination = pino.destination({ dest: file, sync: false, minLength: 8192 });
      await once(destination, 'ready');
      const log = createDecisionLog({ destination, clock: () => T0 });
      log.write(ALLOW);
      log.write({ ...ALLOW, requestId: 'req-2' });
      assert.equal(readFileSync(file, 'utf8'), '', 'buffered until flushed');
      log.flush();
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((text) => JSON.parse(text));
      assert.deepEqual(lines.map((line) => line.request_id), ['req-1', 'req-2']);
      destination.end();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a destination without write()', () => {
    assert.throws(() => createDecisionLog({ destination: {} as never }), TypeError);
  });
});

describe('docs/reference/audit-log.md', () => {
  const doc = readFileSync(new URL('../../../../docs/reference/audit-log.md', import.meta.url), 'utf8');

  it('documents exactly the written members, in order', () => {
    const documented = [...doc.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]);
    assert.deepEqual(documented, [...DECISION_LOG_FIELDS]);
  });

  it('has an example line with exactly those members', () => {
    const example = /```json\n(.+)\n```/.exec(doc);
    assert.ok(example !== null, 'no example line');
    assert.deepEqual(Object.keys(JSON.parse(example[1]!)), [...DECISION_LOG_FIELDS]);
  });
});

describe('decisionLogDestination (buffered)', () => {
  it('batches lines, yet a quiet gateway\'s line reaches the file within the flush interval, and flush() writes the rest at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-decisions-'));
    try {
      const file = join(dir, 'nested', 'decisions.log');
      const destination = decisionLogDestination(file);
      await once(destination as unknown as NodeJS.EventEmitter, 'ready');
      const log = createDecisionLog({ destination, clock: () => T0, flushIntervalMs: 50 });
      const decision: GatewayDecision = { requestId: 'r-1', route: 'orders', method: 'GET', path: '/orders/1', clientIp: '127.0.0.1', decision: 'allow', latencyMs: 1 };
      log.write(decision);
      assert.equal(readFileSync(file, 'utf8'), '', 'one short line stays in the buffer');
      const deadline = Date.now() + 2_000;
      while (readFileSync(file, 'utf8') === '' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).request_id, 'r-1');
      log.write({ ...decision, requestId: 'r-2' });
      log.flush();
      assert.deepEqual(readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line).request_id), ['r-1', 'r-2']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
