import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIssue } from '../../src/config/index.ts';
import { errorOf, FILE, issuesOf, onlyIssue, parse, SECRET, where, withRoute, yaml } from './config-test-helpers.ts';

describe('configuration issues', () => {
  it('reports every issue at once, in document order, with file, line, column and path', () => {
    const text = yaml(
      'issuer: ftp://auth.example.com', //                 1
      'tokens: { accessTtl: 2h, leeway: 10m }', //         2
      'clients:', //                                       3
      '  - id: web', //                                    4
      '    public: true', //                               5
      '    grants: [implicit]', //                         6
      'routes:', //                                        7
      '  - id: orders', //                                 8
      '    match: { path: orders }', //                    9
      '    upstream: http://127.0.0.1:9001', //            10
      '    audience: 42', //                               11
      '    allow:', //                                     12
      '      - all: [ { role: admin }, { scope: [] } ]', // 13
    );
    const error = errorOf(text);
    assert.deepEqual(error.issues.map(where), [
      { kind: 'invalid_value', line: 1, column: 9, path: 'issuer' },
      { kind: 'invalid_value', line: 2, column: 22, path: 'tokens.accessTtl' },
      { kind: 'invalid_value', line: 2, column: 34, path: 'tokens.leeway' },
      { kind: 'invalid_value', line: 6, column: 14, path: 'clients[0].grants[0]' },
      { kind: 'invalid_value', line: 9, column: 20, path: 'routes[0].match.path' },
      { kind: 'invalid_value', line: 11, column: 15, path: 'routes[0].audience' },
      { kind: 'invalid_value', line: 13, column: 42, path: 'routes[0].allow[0].all[1].scope' },
    ]);
    assert.ok(error.issues.every((issue) => issue.file === FILE));
    // The message lists them all, one line each, in the `file:line:column path: …` form.
    const lines = error.message.split('\n');
    assert.equal(lines[0], 'gatehouse.yaml: invalid configuration, 7 problems:');
    assert.equal(lines.length, 8);
    assert.equal(lines[6], '  gatehouse.yaml:11:15 routes[0].audience: expected a non-empty string, found 42');
    assert.equal(formatIssue(error.issues[5]!), 'gatehouse.yaml:11:15 routes[0].audience: expected a non-empty string, found 42');
  });

  it('names what was expected and what was found', () => {
    const issue = onlyIssue(withRoute('    login: brwoser'));
    assert.deepEqual(where(issue), { kind: 'invalid_value', line: 7, column: 12, path: 'routes[0].login' });
    assert.equal(issue.expected, 'one of browser');
    assert.equal(issue.found, '"brwoser"');
    assert.equal(issue.message, 'expected one of browser, found "brwoser"; did you mean "browser"?');
  });

  describe('unknown keys', () => {
    it('are refused with a suggestion when one is close', () => {
      const issues = issuesOf(yaml(
        'issuer: https://auth.example.com',
        'isuer: https://other.example.com',
        'clients:',
        '  - id: web',
        '    public: true',
        '    grants: [authorization_code]',
        '    redirect_uris: [https://app.example.com/cb]',
        'routes:',
        '  - id: orders',
        '    match: {}',
        '    upstrem: http://127.0.0.1:9001',
        '    audience: orders',
      ));
      assert.deepEqual(issues.map((issue) => [issue.kind, issue.line, issue.column, issue.path, issue.hint]), [
        ['unknown_key', 2, 1, 'isuer', 'did you mean "issuer"?'],
        // The client's missing redirectUris is reported too: the typo explains it.
        ['missing_key', 4, 5, 'clients[0].redirectUris', undefined],
        ['unknown_key', 7, 5, 'clients[0].redirect_uris', 'did you mean "redirectUris"?'],
        ['missing_key', 9, 5, 'routes[0].upstream', undefined],
        ['unknown_key', 11, 5, 'routes[0].upstrem', 'did you mean "upstream"?'],
      ]);
      assert.equal(issues[0]!.message, 'unknown key "isuer"; did you mean "issuer"?');
    });

    it('list the known keys when none is close', () => {
      const issue = onlyIssue(yaml('issuer: https://auth.example.com', 'keys: { algorithm: ES256, colour: blue }'));
      assert.deepEqual(where(issue), { kind: 'unknown_key', line: 2, column: 27, path: 'keys.colour' });
      assert.equal(issue.message, 'unknown key "colour"; expected one of algorithm, rotateEvery, masterKeyFile');
    });

    it('inside conditions, with a suggestion', () => {
      const issue = onlyIssue(withRoute('    allow: [ { scopes: orders:read } ]'));
      assert.deepEqual(where(issue), { kind: 'unknown_key', line: 7, column: 16, path: 'routes[0].allow[0].scopes' });
      assert.equal(issue.hint, 'did you mean "scope"?');
    });
  });

  describe('missing keys', () => {
    it('are reported at the mapping that lacks them, with the path of the key', () => {
      const issues = issuesOf(yaml(
        'listen: { gateway: 0.0.0.0:8080 }',
        'routes:',
        '  - id: orders',
        '    match: {}',
      ));
      assert.deepEqual(issues.map(where), [
        { kind: 'missing_key', line: 1, column: 1, path: 'issuer' },
        { kind: 'missing_key', line: 3, column: 5, path: 'routes[0].upstream' },
        { kind: 'missing_key', line: 3, column: 5, path: 'routes[0].audience' },
      ]);
      assert.equal(issues[0]!.message, 'missing required key "issuer", expected an absolute https URL without query or fragment (http only for localhost or 127.0.0.1)');
    });

    it('an empty document is refused', () => {
      assert.deepEqual(where(onlyIssue('# nothing here\n')), { kind: 'invalid_value', line: 1, column: 1, path: '' });
    });

    it('a document that is not a mapping is refused', () => {
      const issue = onlyIssue('- issuer: https://auth.example.com\n');
      assert.deepEqual(where(issue), { kind: 'invalid_value', line: 1, column: 1, path: '' });
      assert.equal(issue.found, 'a list');
    });
  });

  describe('secrets', () => {
    it('a short literal secret is described by its length, never shown', () => {
      const text = yaml('issuer: https://auth.example.com', 'clients:', '  - id: svc', '    secret: hunter2-abc', '    grants: [client_credentials]');
      const error = errorOf(text);
      const [issue] = error.issues;
      assert.deepEqual(where(issue!), { kind: 'invalid_value', line: 4, column: 13, path: 'clients[0].secret' });
      assert.equal(issue!.expected, 'a string of at least 32 characters');
      assert.equal(issue!.found, 'a string of 11 characters');
      assert.ok(!error.message.includes('hunter2'));
    });

    it('a short secret from the environment is not shown either', () => {
      const text = yaml('issuer: https://auth.example.com', 'clients:', '  - id: svc', '    secret: ${SVC_SECRET}', '    grants: [client_credentials]');
      const error = errorOf(text, { SVC_SECRET: 'tiny-but-secret' });
      assert.equal(error.issues[0]!.found, 'a string of 15 characters');
      assert.ok(!error.message.includes('tiny-but-secret'));
    });

    it('a secret of the wrong type is described by its type', () => {
      const issue = onlyIssue(yaml('issuer: https://auth.example.com', 'clients:', '  - id: svc', '    secret: 1234567', '    grants: [client_credentials]'));
      assert.equal(issue.found, 'a number');
      assert.ok(!issue.message.includes('1234567'));
    });

    it('any value from the environment is shown as written in the file, not as interpolated', () => {
      const error = errorOf(yaml('issuer: https://${AUTH_HOST}?x=1'), { AUTH_HOST: 'db-password-in-wrong-place' });
      assert.equal(error.issues[0]!.found, '"https://${AUTH_HOST}?x=1" (38 characters after interpolation; value not shown)');
      assert.ok(!error.message.includes('db-password'));
    });

    it('a postgres password written in the store URL is redacted', () => {
      const error = errorOf(yaml('issuer: https://auth.example.com', 'store: postgress://gatehouse:pa55word@db:5432/gatehouse'));
      assert.deepEqual(where(error.issues[0]!), { kind: 'invalid_value', line: 2, column: 8, path: 'store' });
      assert.ok(!error.message.includes('pa55word'), error.message);
      assert.match(error.issues[0]!.found, /\*\*\*/);
    });
  });

  describe('token and key lifetimes', () => {
    it('accessTtl above the 1h hard cap is an error, not a silent clamp', () => {
      const issue = onlyIssue(yaml('issuer: https://auth.example.com', 'tokens:', '  accessTtl: 1h1s'));
      assert.deepEqual(where(issue), { kind: 'invalid_value', line: 3, column: 14, path: 'tokens.accessTtl' });
      assert.equal(issue.expected, 'a duration of at least 1s and at most 1h (the hard cap for access tokens)');
    });

    it('exactly 1h is allowed', () => {
      assert.equal(parse(yaml('issuer: https://auth.example.com', 'tokens: { accessTtl: 1h }')).config.tokens.accessTtlSeconds, 3600);
    });

    it('a bare number is not a duration', () => {
      const issue = onlyIssue(yaml('issuer: https://auth.example.com', 'tokens: { refreshIdle: 3600 }'));
      assert.equal(issue.expected, 'a duration like 30s, 5m, 12h, 7d or 1h30m');
      assert.equal(issue.found, '3600');
    });

    it('rotateEvery under 1h and leeway over 5m are refused', () => {
      const issues = issuesOf(yaml('issuer: https://auth.example.com', 'keys: { rotateEvery: 30m }', 'tokens: { leeway: 6m }'));
      assert.deepEqual(issues.map((issue) => [issue.path, issue.expected]), [
        ['keys.rotateEvery', 'a duration of at least 1h'],
        ['tokens.leeway', 'a duration of at most 5m'],
      ]);
    });

    it('refreshMax shorter than refreshIdle is a conflict at refreshMax', () => {
      const issue = onlyIssue(yaml('issuer: https://auth.example.com', 'tokens: { refreshIdle: 2d, refreshMax: 1d }'));
      assert.deepEqual(where(issue), { kind: 'conflict', line: 2, column: 40, path: 'tokens.refreshMax' });
      assert.equal(issue.expected, 'a duration of at least refreshIdle (2d)');
    });

    it('refreshIdle longer than the default refreshMax is a conflict at refreshIdle', () => {
      const issue = onlyIssue(yaml('issuer: https://auth.example.com', 'tokens: { refreshIdle: 8d }'));
      assert.deepEqual(where(issue), { kind: 'conflict', line: 2, column: 24, path: 'tokens.refreshIdle' });
    });

    it('an unknown signing algorithm is refused with a suggestion', () => {
      const issue = onlyIssue(yaml('issuer: https://auth.example.com', 'keys: { algorithm: es256 }'));
      assert.equal(issue.hint, 'did you mean "ES256"?');
    });
  });

  describe('clients', () => {
    const client = (...lines: string[]) => yaml('issuer: https://auth.example.com', 'clients:', '  - id: app', ...lines);

    it('implicit and password grants are refused, saying OAuth 2.1 removed them', () => {
      const issues = issuesOf(client('    public: true', '    grants: [authorization_code, implicit, password]', '    redirectUris: [https://app.example.com/cb]'));
      assert.deepEqual(issues.map(where), [
        { kind: 'invalid_value', line: 5, column: 34, path: 'clients[0].grants[1]' },
        { kind: 'invalid_value', line: 5, column: 44, path: 'clients[0].grants[2]' },
      ]);
      assert.match(issues[0]!.message, /OAuth 2\.1 removed the implicit grant/);
      assert.match(issues[1]!.message, /OAuth 2\.1 removed the resource owner password grant/);
    });

    it('a public client can have neither a secret nor client_credentials', () => {
      const issues = issuesOf(client('    public: true', `    secret: ${SECRET}`, '    grants: [client_credentials]'));
      assert.deepEqual(issues.map(where), [
        { kind: 'conflict', line: 5, column: 13, path: 'clients[0].secret' },
        { kind: 'conflict', line: 6, column: 14, path: 'clients[0].grants[0]' },
      ]);
      assert.equal(issues[0]!.found, `a string of ${SECRET.length} characters`);
      assert.ok(!issues[0]!.message.includes(SECRET));
    });

    it('a confidential client needs a secret', () => {
      const issue = onlyIssue(client('    grants: [client_credentials]'));
      assert.deepEqual(where(issue), { kind: 'missing_key', line: 3, column: 5, path: 'clients[0].secret' });
      assert.match(issue.message, /or public: true/);
    });

    it('redirectUris are required with authorization_code and refused without it', () => {
      assert.deepEqual(where(onlyIssue(client('    public: true', '    grants: [authorization_code]'))), { kind: 'missing_key', line: 3, column: 5, path: 'clients[0].redirectUris' });
      const issue = onlyIssue(client(`    secret: \${S}`, '    grants: [client_credentials]', '    redirectUris: [https://app.example.com/cb]'), { S: SECRET });
      assert.deepEqual(where(issue), { kind: 'conflict', line: 6, column: 19, path: 'clients[0].redirectUris' });
    });

    it('refresh_token comes only with authorization_code', () => {
      const issue = onlyIssue(client('    secret: ${S}', '    grants: [client_credentials, refresh_token]'), { S: SECRET });
      assert.deepEqual(where(issue), { kind: 'conflict', line: 5, column: 34, path: 'clients[0].grants[1]' });
    });

    it('redirect URIs are absolute, https (http only on loopback), without fragment or wildcard', () => {
      const issues = issuesOf(client(
        '    public: true',
        '    grants: [authorization_code]',
        '    redirectUris:',
        '      - https://app.example.com/cb#frag',
        '      - http://app.example.com/cb',
        '      - /relative/cb',
        '      - https://*.example.com/cb',
        '      - http://127.0.0.1:8765/cb',
        '      - http://localhost/cb',
        '      - https://app.example.com/cb?tenant=1',
      ));
      assert.deepEqual(issues.map((issue) => [issue.path, issue.line, issue.column]), [
        ['clients[0].redirectUris[0]', 7, 9],
        ['clients[0].redirectUris[1]', 8, 9],
        ['clients[0].redirectUris[2]', 9, 9],
        ['clients[0].redirectUris[3]', 10, 9],
      ]);
      assert.equal(issues[0]!.hint, 'a fragment is not allowed');
      assert.equal(issues[1]!.hint, 'the scheme http is not allowed here');
    });

    it('grants must not be empty or repeated', () => {
      const issues = issuesOf(client('    public: true', '    grants: []'));
      assert.deepEqual(issues.map(where), [{ kind: 'invalid_value', line: 5, column: 13, path: 'clients[0].grants' }]);
      const repeat = onlyIssue(client('    secret: ${S}', '    grants: [client_credentials, client_credentials]'), { S: SECRET });
      assert.deepEqual(where(repeat), { kind: 'duplicate', line: 5, column: 34, path: 'clients[0].grants[1]' });
    });
  });

  describe('duplicate ids', () => {
    it('clients, routes and trusted issuers are each unique; every repeat is reported', () => {
      const issues = issuesOf(yaml(
        'issuer: https://auth.example.com',
        'clients:',
        '  - { id: web, public: true, grants: [authorization_code], redirectUris: [https://a.example.com/cb], audiences: [orders] }',
        '  - { id: web, public: true, grants: [authorization_code], redirectUris: [https://b.example.com/cb] }',
        'routes:',
        '  - { id: orders, match: {}, upstream: http://127.0.0.1:1, audience: orders }',
        '  - { id: orders, match: {}, upstream: http://127.0.0.1:2, audience: orders }',
        '  - { id: orders, match: {}, upstream: http://127.0.0.1:3, audience: orders }',
        'trust:',
        '  - { issuer: https://idp.example.com, jwks: https://idp.example.com/jwks, audiences: [orders] }',
        '  - { issuer: https://idp.example.com/, jwks: https://idp.example.com/jwks, audiences: [orders] }',
      ));
      assert.deepEqual(issues.map(where), [
        { kind: 'duplicate', line: 4, column: 11, path: 'clients[1].id' },
        { kind: 'duplicate', line: 7, column: 11, path: 'routes[1].id' },
        { kind: 'duplicate', line: 8, column: 11, path: 'routes[2].id' },
        { kind: 'duplicate', line: 11, column: 15, path: 'trust[1].issuer' },
      ]);
      assert.equal(issues[0]!.found, '"web" again (first at clients[0].id, line 3)');
      assert.equal(issues[2]!.found, '"orders" again (first at routes[0].id, line 6)');
    });

    it('a repeat is found even when the first item is otherwise invalid', () => {
      const issues = issuesOf(yaml(
        'issuer: https://auth.example.com',
        'routes:',
        '  - { id: orders, match: {}, upstream: ftp://x, audience: orders }',
        '  - { id: orders, match: {}, upstream: http://127.0.0.1:2, audience: orders }',
      ));
      assert.deepEqual(issues.map((issue) => issue.kind), ['invalid_value', 'duplicate']);
    });

    it('explicit condition ids are unique within a route', () => {
      const issue = onlyIssue(withRoute(
        '    allow:',
        '      - { id: admins, role: admin }',
        '      - { id: admins, role: ops }',
      ));
      assert.deepEqual(where(issue), { kind: 'duplicate', line: 9, column: 15, path: 'routes[0].allow[1].id' });
    });
  });

  describe('issuer, listen and store', () => {
    const issuer = (value: string) => parse(yaml(`issuer: ${value}`)).config.issuer;

    it('the issuer is normalized without a trailing slash; http only for localhost', () => {
      assert.equal(issuer('https://Auth.Example.com/'), 'https://auth.example.com');
      assert.equal(issuer('https://example.com/auth/'), 'https://example.com/auth');
      assert.equal(issuer('http://localhost:4000'), 'http://localhost:4000');
      assert.equal(issuer('http://127.0.0.1:4000/'), 'http://127.0.0.1:4000');
      for (const [value, hint] of [
        ['http://auth.example.com', 'the scheme http is not allowed here'],
        ['https://auth.example.com/?tenant=a', 'a query is not allowed'],
        ['https://auth.example.com/#x', 'a fragment is not allowed'],
        ['https://user:pw@auth.example.com', 'credentials do not belong in the URL'],
      ] as const) {
        assert.equal(onlyIssue(yaml(`issuer: ${value}`)).hint, hint, value);
      }
      assert.equal(onlyIssue(yaml('issuer: auth.example.com')).path, 'issuer');
      // A password in a URL is never echoed.
      const credentials = onlyIssue(yaml('issuer: https://admin:hunter2@auth.example.com'));
      assert.equal(credentials.found, '"https://admin:***@auth.example.com"');
      assert.ok(!credentials.message.includes('hunter2'));
    });

    it('listen takes defaults per listener, IPv4, [IPv6] or hostnames', () => {
      assert.deepEqual(parse(yaml('issuer: https://auth.example.com')).config.listen, {
        gateway: { host: '0.0.0.0', port: 8080 },
        issuer: { host: '0.0.0.0', port: 9000 },
        control: { host: '0.0.0.0', port: 4000 },
      });
      assert.deepEqual(parse(yaml('issuer: https://auth.example.com', 'listen: { gateway: "[::]:443", control: localhost:0 }')).config.listen, {
        gateway: { host: '::', port: 443 },
        issuer: { host: '0.0.0.0', port: 9000 },
        control: { host: 'localhost', port: 0 },
      });
      assert.deepEqual(parse(yaml('issuer: https://auth.example.com', 'listen: { control: 127.0.0.1:9001 }')).config.listen.gateway, { host: '0.0.0.0', port: 8080 });
      assert.deepEqual(parse(yaml('issuer: https://auth.example.com', 'listen: { issuer: 127.0.0.1:9443 }')).config.listen.issuer, { host: '127.0.0.1', port: 9443 });
    });

    it('listen refuses bad addresses and two listeners on one port', () => {
      const issues = issuesOf(yaml('issuer: https://auth.example.com', 'listen: { gateway: 0.0.0.0:65536, control: "8080" }'));
      assert.deepEqual(issues.map((issue) => [issue.path, issue.column]), [['listen.gateway', 20], ['listen.control', 44]]);
      const clash = onlyIssue(yaml('issuer: https://auth.example.com', 'listen: { gateway: 127.0.0.1:8080, control: 0.0.0.0:8080 }'));
      assert.deepEqual(where(clash), { kind: 'conflict', line: 2, column: 45, path: 'listen.control' });
      assert.match(clash.message, /gateway and control both on port 8080/);
      const issuerClash = onlyIssue(yaml('issuer: https://auth.example.com', 'listen: { issuer: 127.0.0.1:4000 }'));
      assert.deepEqual(where(issuerClash), { kind: 'conflict', line: 2, column: 19, path: 'listen.issuer' });
      assert.match(issuerClash.message, /issuer and control both on port 4000/);
    });

    it('store is sqlite or postgres', () => {
      assert.deepEqual(parse(yaml('issuer: https://auth.example.com')).config.store, { dialect: 'sqlite', filename: '/etc/gatehouse/data/gatehouse.db' });
      assert.deepEqual(parse(yaml('issuer: https://auth.example.com', 'store: "sqlite::memory:"')).config.store, { dialect: 'sqlite', filename: ':memory:' });
      const url = 'postgresql://gatehouse@db.internal:5432/gatehouse';
      assert.deepEqual(parse(yaml('issuer: https://auth.example.com', `store: ${url}`)).config.store, { dialect: 'postgres', connectionString: url });
      assert.equal(onlyIssue(yaml('issuer: https://auth.example.com', 'store: mysql://db/gatehouse')).path, 'store');
    });
  });

  describe('trust', () => {
    const trust = (...lines: string[]) => yaml('issuer: https://auth.example.com', 'trust:', '  - issuer: https://idp.example.com', ...lines);

    it('only public-key algorithms; none and HMAC are refused with the reason', () => {
      const issues = issuesOf(trust('    jwks: https://idp.example.com/jwks', '    audiences: [orders]', '    algorithms: [RS256, HS256, none]'));
      assert.deepEqual(issues.map((issue) => [issue.path, issue.column]), [['trust[0].algorithms[1]', 25], ['trust[0].algorithms[2]', 32]]);
      assert.match(issues[0]!.message, /HMAC would need a secret shared/);
      assert.match(issues[1]!.message, /unsigned tokens are never accepted/);
    });

    it('typ: false skips the typ check; the issuer is kept exactly as written', () => {
      const { config } = parse(trust('    jwks: https://idp.example.com/jwks', '    audiences: [orders]', '    typ: false', '    roles: [https://idp.example.com/roles]'));
      assert.equal(config.trust[0]!.typ, null);
      assert.deepEqual(config.trust[0]!.rolesClaim, ['https://idp.example.com/roles']);
      const exact = parse(yaml('issuer: https://auth.example.com', 'trust: [ { issuer: "https://tenant.idp.example.com/", jwks: /etc/jwks.json, audiences: [a] } ]'));
      assert.equal(exact.config.trust[0]!.issuer, 'https://tenant.idp.example.com/');
    });

    it('jwks is https or a file; audiences are required', () => {
      const issues = issuesOf(trust('    jwks: http://idp.example.com/jwks'));
      assert.deepEqual(issues.map(where), [
        { kind: 'missing_key', line: 3, column: 5, path: 'trust[0].audiences' },
        { kind: 'invalid_value', line: 4, column: 11, path: 'trust[0].jwks' },
      ]);
    });

    it('this gatehouse cannot list itself as a trusted issuer', () => {
      const issue = onlyIssue(yaml('issuer: https://auth.example.com', 'trust: [ { issuer: "https://auth.example.com/", jwks: /etc/jwks.json, audiences: [a] } ]'));
      assert.deepEqual(where(issue), { kind: 'conflict', line: 2, column: 20, path: 'trust[0].issuer' });
    });
  });

  describe('warnings', () => {
    it('a route audience no client or trusted issuer has, a secret in the file, a route without allow', () => {
      const { warnings } = parse(yaml(
        'issuer: https://auth.example.com',
        'clients:',
        `  - { id: svc, secret: ${SECRET}, grants: [client_credentials], audiences: [orders] }`,
        'routes:',
        '  - { id: orders, match: {}, upstream: http://127.0.0.1:1, audience: orders, allow: [ { authenticated: true } ] }',
        '  - { id: billing, match: {}, upstream: http://127.0.0.1:2, audience: billing }',
      ));
      assert.deepEqual(warnings.map((warning) => [warning.path, warning.line, warning.column]), [
        ['clients[0].secret', 3, 24],
        ['routes[1]', 6, 5],
        ['routes[1].audience', 6, 71],
      ]);
      assert.ok(warnings.every((warning) => !warning.message.includes(SECRET)));
      assert.match(warnings[2]!.message, /no client or trusted issuer has the audience "billing"/);
    });
  });
});
