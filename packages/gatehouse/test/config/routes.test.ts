import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../../src/config/index.ts';
import { issuesOf, onlyIssue, parse, where, yaml } from './config-test-helpers.ts';

function route(...lines: string[]): string {
  return yaml('issuer: https://auth.example.com', 'routes:', '  - id: r', '    audience: r', ...lines);
}

describe('routes', () => {
  it('match host: hostname (lowercased), IP literal, or *.domain', () => {
    const hosts = ['API.Example.com', '192.0.2.10', '"[2001:db8::1]"', '"*.example.com"'].map((host) =>
      parse(route(`    match: { host: ${host} }`, '    upstream: http://127.0.0.1:1')).config.routes[0]!.match.host,
    );
    assert.deepEqual(hosts, ['api.example.com', '192.0.2.10', '[2001:db8::1]', '*.example.com']);
    for (const host of ['api.example.com:8443', '"*.com"', 'exa_mple.com', '"a.*.example.com"', '10.0.0.300']) {
      const issue = onlyIssue(route(`    match: { host: ${host} }`, '    upstream: http://127.0.0.1:1'));
      assert.deepEqual(where(issue), { kind: 'invalid_value', line: 5, column: 20, path: 'routes[0].match.host' }, host);
    }
  });

  it('match is required; its keys are optional, methods a method or a list', () => {
    assert.deepEqual(where(onlyIssue(route('    upstream: http://127.0.0.1:1'))), { kind: 'missing_key', line: 3, column: 5, path: 'routes[0].match' });
    const { config } = parse(route('    match: { methods: DELETE }', '    upstream: http://127.0.0.1:1'));
    assert.deepEqual(config.routes[0]!.match, { host: null, path: null, methods: ['DELETE'] });
  });

  it('upstream is http, https, ws or wss, without credentials, query or fragment', () => {
    const accepted = ['http://127.0.0.1:9001', 'https://orders.internal/base', 'ws://127.0.0.1:7000', 'wss://chat.internal'].map((url) =>
      parse(route('    match: {}', `    upstream: ${url}`)).config.routes[0]!.upstream,
    );
    assert.deepEqual(accepted, ['http://127.0.0.1:9001/', 'https://orders.internal/base', 'ws://127.0.0.1:7000/', 'wss://chat.internal/']);
    for (const [url, hint] of [
      ['ftp://files.internal', 'the scheme ftp is not allowed here'],
      ['http://user:pw@127.0.0.1', 'credentials do not belong in the URL'],
      ['http://127.0.0.1/?debug=1', 'a query is not allowed'],
      ['127.0.0.1:9001', 'an absolute URL starts with a scheme, like https://'],
      ['localhost:9001', 'an absolute URL starts with a scheme, like https://'],
    ] as const) {
      const issue = onlyIssue(route('    match: {}', `    upstream: ${url}`));
      assert.deepEqual(where(issue), { kind: 'invalid_value', line: 6, column: 15, path: 'routes[0].upstream' }, url);
      assert.equal(issue.hint, hint, url);
    }
    assert.equal(onlyIssue(route('    match: {}', '    upstream: "http://exa mple"')).hint, undefined);
  });

  it('login is browser or absent; stripHeaders are header names, lowercased, never framing headers', () => {
    const { config } = parse(route('    match: { host: app.example.com }', '    upstream: http://127.0.0.1:1', '    login: browser', '    stripHeaders: [X-Forwarded-User, x-debug-as]'));
    assert.equal(config.routes[0]!.login, 'browser');
    assert.deepEqual(config.routes[0]!.stripHeaders, ['x-forwarded-user', 'x-debug-as']);
    const issues = issuesOf(route('    match: {}', '    upstream: http://127.0.0.1:1', '    stripHeaders: [Host, "x user", x-a, X-A]'));
    assert.deepEqual(issues.map((issue) => [issue.kind, issue.path]), [
      ['invalid_value', 'routes[0].stripHeaders[0]'],
      ['invalid_value', 'routes[0].stripHeaders[1]'],
      ['duplicate', 'routes[0].stripHeaders[3]'],
    ]);
  });

  it('allow and deny are lists', () => {
    const issue = onlyIssue(route('    match: {}', '    upstream: http://127.0.0.1:1', '    allow: { role: admin }'));
    assert.deepEqual(where(issue), { kind: 'invalid_value', line: 7, column: 12, path: 'routes[0].allow' });
  });

  it('ids are letters, digits, ., _ and -', () => {
    const issue = onlyIssue(yaml('issuer: https://auth.example.com', 'routes: [ { id: "orders api", match: {}, upstream: http://127.0.0.1:1, audience: r } ]'));
    assert.deepEqual(where(issue), { kind: 'invalid_value', line: 2, column: 17, path: 'routes[0].id' });
  });
});

describe('durations', () => {
  it('parse whole units from largest to smallest', () => {
    assert.deepEqual(['30s', '5m', '12h', '7d', '1h30m', '1d2h3m4s', '0s'].map(parseDuration), [30, 300, 43_200, 604_800, 5400, 93_784, 0]);
    for (const text of ['', '5', '5 m', '30m1h', '1.5h', '1h1h', '-5m', '5M', '1w']) assert.equal(parseDuration(text), undefined, text);
  });

  it('format in the shortest form', () => {
    assert.deepEqual([0, 30, 3600, 5400, 93_784].map(formatDuration), ['0s', '30s', '1h', '1h30m', '1d2h3m4s']);
  });
});
