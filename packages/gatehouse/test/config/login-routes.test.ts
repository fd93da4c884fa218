/**
 * The configuration rules of browser sessions: a `login: browser` route needs an exact host (the
 * callback URL is built from it), one audience per login host (one access cookie per host), and
 * no configured client may take the gateway's reserved client id.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FILE, onlyIssue, issuesOf, parse, where, yaml } from './config-test-helpers.ts';

function loginRoute(id: string, match: string, audience: string): string[] {
  return [`  - id: ${id}`, `    match: ${match}`, '    upstream: http://127.0.0.1:3000', `    audience: ${audience}`, '    login: browser', '    allow: [ { authenticated: true } ]'];
}

describe('login: browser routes', () => {
  it('are accepted with an exact host, and their audience needs no client (the gateway brings its own)', () => {
    const { config, warnings } = parse(yaml('issuer: https://auth.example.com', 'routes:', ...loginRoute('app', '{ host: app.example.com }', 'app')));
    assert.equal(config.routes[0]!.login, 'browser');
    assert.deepEqual(warnings, []);
  });

  it('need a match.host: a route for any host is refused at login, saying why', () => {
    const issue = onlyIssue(yaml('issuer: https://auth.example.com', 'routes:', ...loginRoute('app', '{ path: /app/** }', 'app')));
    assert.deepEqual(where(issue), { kind: 'conflict', line: 7, column: 12, path: 'routes[0].login' });
    assert.equal(issue.file, FILE);
    assert.equal(issue.expected, 'login: browser only on a route with an exact match.host');
    assert.equal(issue.found, 'a route for any host');
    assert.match(issue.hint ?? '', /callback URL, https:\/\/\{host\}\/\.gatehouse\/callback, is built from match\.host/);
  });

  it('need an exact host, not a *. wildcard', () => {
    const issue = onlyIssue(yaml('issuer: https://auth.example.com', 'routes:', ...loginRoute('app', '{ host: "*.example.com" }', 'app')));
    assert.deepEqual(where(issue), { kind: 'conflict', line: 7, column: 12, path: 'routes[0].login' });
    assert.equal(issue.found, 'the wildcard host "*.example.com"');
  });

  it('on one host share one audience; other hosts and non-login routes may differ', () => {
    const issue = onlyIssue(yaml(
      'issuer: https://auth.example.com',
      'clients:',
      '  - { id: svc, secret: S3cr3t-value-that-is-long-enough-0123456789, grants: [client_credentials], audiences: [api] }',
      'routes:',
      ...loginRoute('app', '{ host: app.example.com, path: /app/** }', 'app'),
      ...loginRoute('admin', '{ host: app.example.com, path: /admin/** }', 'admin'),
      ...loginRoute('other', '{ host: other.example.com }', 'other'),
      '  - id: api',
      '    match: { host: app.example.com, path: /api/** }',
      '    upstream: http://127.0.0.1:3001',
      '    audience: api',
      '    allow: [ { authenticated: true } ]',
    ));
    assert.deepEqual(where(issue), { kind: 'conflict', line: 14, column: 15, path: 'routes[1].audience' });
    assert.equal(issue.expected, 'the audience "app" of routes[0] (app), the other login: browser route on host app.example.com');
    assert.equal(issue.found, '"admin"');
    assert.match(issue.hint ?? '', /one access cookie per host/);
  });
});

describe('the gateway client id', () => {
  it('gatehouse-gateway is reserved: a configured client may not use it', () => {
    const issues = issuesOf(yaml(
      'issuer: https://auth.example.com',
      'clients:',
      '  - id: gatehouse-gateway',
      '    public: true',
      '    grants: [authorization_code]',
      '    redirectUris: [https://app.example.com/cb]',
    ));
    assert.deepEqual(issues.map(where), [{ kind: 'conflict', line: 3, column: 9, path: 'clients[0].id' }]);
    assert.equal(issues[0]!.expected, 'a client id other than gatehouse-gateway');
    assert.match(issues[0]!.hint ?? '', /reserved for the gateway's built-in client/);
  });
});
