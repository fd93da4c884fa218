/**
 * The route table and the path-glob matcher. Hono-style: one table of glob cases runs against
 * every matcher that implements globs (the compiled matcher, a RegExp reference written here, the
 * route table and the policy `path` condition), and one table of requests runs against the route
 * table and a brute-force reference that scans every route.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig, type RouteConfig } from '../../src/config/index.ts';
import { ServerError } from '../../src/errors.ts';
import { compilePathGlob, compileRoutes, normalizeRequestHost, normalizeRequestTarget, type RouteLookup } from '../../src/gateway/routing/index.ts';
import { pathGlobsOverlap } from '../../src/gateway/routing/path-glob.ts';
import { compareSpecificity, compileRoute } from '../../src/gateway/routing/route-precedence.ts';
import { ANONYMOUS, compilePolicy } from '../../src/policy/index.ts';

function routesFrom(...lines: string[]): readonly RouteConfig[] {
  return parseConfig(['issuer: https://auth.example.com', 'routes:', ...lines, ''].join('\n'), { file: 'routing.yaml', env: {} }).config.routes;
}

/** A route in flow style; `match` is the inside of the match mapping. */
function route(id: string, match: string): string {
  return `  - { id: ${id}, match: { ${match} }, upstream: "http://127.0.0.1:9000", audience: ${id}, allow: [ { path: /** } ] }`;
}

/** Reference: a glob as a RegExp, the obvious way (fine in a test: short inputs, no attacker). */
function referenceGlob(glob: string): RegExp {
  const body = glob
    .slice(1)
    .split('/')
    .map((segment) => (segment === '**' ? '(?:/[^/]*)*' : segment === '*' ? '/[^/]+' : `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
    .join('');
  return new RegExp(`^${body}$`);
}

// [glob, normalized path, matches]
const GLOB_CASES: readonly (readonly [string, string, boolean])[] = [
  ['/', '/', true],
  ['/', '/a', false],
  ['/**', '/', true],
  ['/**', '/a/b/', true],
  ['/*', '/', false],
  ['/*', '/a', true],
  ['/*', '/a/', false],
  ['/*', '/a/b', false],
  ['/orders/**', '/orders', true],
  ['/orders/**', '/orders/', true],
  ['/orders/**', '/orders/1/lines/', true],
  ['/orders/**', '/ordersx', false],
  ['/orders/**', '/Orders/1', false],
  ['/orders/**', '/other/orders/1', false],
  ['/orders/*', '/orders', false],
  ['/orders/*', '/orders/1', true],
  ['/orders/*', '/orders/', false],
  ['/orders/*', '/orders/1/', false],
  ['/orders/*', '/orders/1/2', false],
  ['/a/**/z', '/a/z', true],
  ['/a/**/z', '/a/b/c/z', true],
  ['/a/**/z', '/a/z/', false],
  ['/a/**/z', '/az', false],
  ['/a/**/a', '/a', false],
  ['/a/**/a', '/a/a', true],
  ['/a/*/c/**/y/*', '/a/b/c/y/z', true],
  ['/a/*/c/**/y/*', '/a/b/c/d/e/y/z', true],
  ['/a/*/c/**/y/*', '/a/b/c/y', false],
  ['/a/*/c/**/y/*', '/a/b/x/y/z', false],
  ['/a/', '/a/', true],
  ['/a/', '/a', false],
  ['/a', '/a/', false],
  ['/**/', '/', true],
  ['/**/', '/a/', true],
  ['/**/', '/a', false],
  ['/v1.0/~user/x@y', '/v1.0/~user/x@y', true],
];

describe('path globs: one table, every implementation', () => {
  const implementations: Record<string, (glob: string, path: string) => boolean> = {
    compiled: (glob, path) => compilePathGlob(glob).matches(path),
    'RegExp reference': (glob, path) => referenceGlob(glob).test(path),
    'route table': (glob, path) => compileRoutes(routesFrom(route('r', `path: "${glob}"`))).match('h.example.com', path, 'GET').route !== null,
    'policy path condition': (glob, path) => {
      const [policyRoute] = routesFrom(`  - { id: r, match: {}, upstream: "http://127.0.0.1:9000", audience: r, allow: [ { path: "${glob}" } ] }`);
      const request = { identity: ANONYMOUS, method: 'GET', path, ip: '127.0.0.1', headers: {}, now: 0 };
      return compilePolicy(policyRoute!).decide(request).effect === 'allow';
    },
  };
  for (const [name, matches] of Object.entries(implementations)) {
    it(`${name}`, () => {
      for (const [glob, path, expected] of GLOB_CASES) assert.equal(matches(glob, path), expected, `${glob} against ${path}`);
    });
  }

  it('the compiled matcher agrees with the RegExp reference on generated globs and paths', () => {
    const random = seeded(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    for (let round = 0; round < 3000; round++) {
      const glob = randomGlob(random);
      const path = `/${Array.from({ length: Math.floor(random() * 6) }, () => pick(['a', 'b', 'ab'])).join('/')}${random() < 0.2 ? '/' : ''}`;
      const normalizedPath = path === '//' ? '/' : path;
      assert.equal(compilePathGlob(glob).matches(normalizedPath), referenceGlob(glob).test(normalizedPath), `${glob} against ${normalizedPath}`);
    }
  });

  it('overlap is exact: two globs overlap iff some path matches both', () => {
    const random = seeded(11);
    // Every normalized path of up to 7 segments over the globs' literals and one other name.
    const paths: string[] = ['/'];
    let level = [''];
    for (let depth = 1; depth <= 7; depth++) {
      level = level.flatMap((prefix) => ['a', 'b', 'x'].map((name) => `${prefix}/${name}`));
      paths.push(...level, ...level.map((path) => `${path}/`));
    }
    for (let round = 0; round < 400; round++) {
      const a = compilePathGlob(randomGlob(random));
      const b = compilePathGlob(randomGlob(random));
      const witness = paths.some((path) => a.matches(path) && b.matches(path));
      assert.equal(pathGlobsOverlap(a, b), witness, `${a.glob} and ${b.glob}`);
    }
  });
});

/** A small deterministic PRNG (mulberry32), so generated cases are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Up to three segments of a, b, * with at most one **, sometimes a trailing slash. */
function randomGlob(random: () => number): string {
  const segments = Array.from({ length: Math.floor(random() * 4) }, () => ['a', 'b', '*'][Math.floor(random() * 3)]!);
  if (random() < 0.6) segments.splice(Math.floor(random() * (segments.length + 1)), 0, '**');
  const trailing = random() < 0.2 && segments.at(-1) !== '**' ? '/' : '';
  return segments.length === 0 ? '/' : `/${segments.join('/')}${trailing}`;
}

describe('request path normalization', () => {
  it('keeps safe paths, decodes escaped unreserved characters only, keeps the query apart', () => {
    const cases: [string, string, string][] = [
      ['/', '/', ''],
      ['/orders/1', '/orders/1', ''],
      ['/orders/1/', '/orders/1/', ''],
      ['/orders/1?x=/../admin&y=%2f', '/orders/1', '?x=/../admin&y=%2f'],
      ['/orders?', '/orders', '?'],
      ['/%6Frders/%7Euser', '/orders/~user', ''],
      ['/orders/caf%c3%a9', '/orders/caf%C3%A9', ''],
      ['/a%20b/%3b/%40', '/a%20b/%3B/%40', ''],
      ["/a:b@c/!$&'()*+,=", "/a:b@c/!$&'()*+,=", ''],
      ['/matrix%3bparam', '/matrix%3Bparam', ''],
      ['/orders/.hidden/..x/...', '/orders/.hidden/..x/...', ''],
      ['/%25', '/%25', ''],
    ];
    for (const [target, path, search] of cases) assert.deepEqual(normalizeRequestTarget(target), { path, search }, target);
  });

  it('refuses what a gateway and an upstream could read differently', () => {
    const refused = [
      '/orders/../admin',
      '/orders/./1',
      '/..',
      '/orders/..',
      '/orders%2F..%2Fadmin',
      '/orders%2f1',
      '/orders/%2e%2e/admin',
      '/orders/%2E./admin',
      '/orders/..;/admin',
      '/orders/.;x/admin',
      '/admin;jsessionid=1/users',
      '/orders/%c0%ae%c0%ae/admin',
      '/orders/%ed%a0%80',
      '/orders/%80',
      '//orders',
      '/orders//1',
      '/orders\\..\\admin',
      '/orders%5c..%5cadmin',
      '/orders%00.json',
      '/orders%0d%0aX-Injected:%201',
      '/orders%7f',
      '/orders/%252e%252e/admin',
      '/orders/%252F',
      '/orders/%zz',
      '/orders/%4',
      '/orders/1#fragment',
      '/orders/1?x#y',
      '/orders/ 1',
      '/orders/\u00e9',
      '/orders/<script>',
      'orders/1',
      '',
      '*',
      'http://api.example.com/orders/1',
    ];
    for (const target of refused) assert.equal(normalizeRequestTarget(target), undefined, JSON.stringify(target));
  });

  it('hosts: lowercase, port dropped, IPv6 canonical; anything else is not a host', () => {
    const cases: [string, string][] = [
      ['api.example.com', 'api.example.com'],
      ['API.Example.COM:8443', 'api.example.com'],
      ['api.example.com:', 'api.example.com'],
      ['192.0.2.10:80', '192.0.2.10'],
      ['[2001:DB8:0:0::1]:8443', '[2001:db8::1]'],
      ['[::1]', '[::1]'],
    ];
    for (const [header, host] of cases) assert.equal(normalizeRequestHost(header), host, header);
    for (const header of [undefined, '', 'api.example.com:http', 'api.example.com:123456', '2001:db8::1', '[2001:db8::1', '[2001:db8::1]x', 'api.example.com.', 'exa_mple.com', 'a b', '010.0.0.1']) {
      assert.equal(normalizeRequestHost(header), undefined, String(header));
    }
  });
});

const TABLE = routesFrom(
  route('orders-admin', 'host: api.example.com, path: /orders/admin/**'),
  route('orders', 'host: api.example.com, path: /orders/**, methods: [GET, POST]'),
  route('order-item', 'host: api.example.com, path: /orders/*'),
  route('api', 'host: api.example.com'),
  route('tenants', 'host: "*.example.com", path: /**'),
  route('tenant-reports', 'host: "*.example.com", path: /reports/**, methods: [GET]'),
  route('ipv6', 'host: "[2001:db8::1]"'),
  route('health', 'path: /healthz, methods: [GET, HEAD]'),
  route('guide-dir', 'host: docs.example.com, path: /guide/'),
  route('guide', 'host: docs.example.com, path: /guide'),
);

// [host header, target, method, route id or refusal, normalized path when routed]
const REQUEST_CASES: readonly (readonly [string | undefined, string, string, string, string?])[] = [
  ['api.example.com', '/orders/1', 'GET', 'order-item', '/orders/1'],
  ['api.example.com', '/orders/1/lines', 'GET', 'orders'],
  ['api.example.com', '/orders', 'POST', 'orders'],
  ['api.example.com', '/orders/', 'GET', 'orders', '/orders/'],
  ['api.example.com', '/orders/1/lines', 'DELETE', 'api'],
  ['api.example.com', '/orders/admin/users', 'GET', 'orders-admin'],
  ['api.example.com', '/orders/admin', 'GET', 'orders-admin'],
  ['API.EXAMPLE.COM:8443', '/orders/1', 'GET', 'order-item'],
  ['api.example.com', '/%6Frders/1?debug=../../admin', 'GET', 'order-item', '/orders/1'],
  ['api.example.com', '/orders/caf%c3%a9', 'GET', 'order-item', '/orders/caf%C3%A9'],
  ['api.example.com', '/ORDERS/1', 'GET', 'api', '/ORDERS/1'],
  ['api.example.com', '/orders/../admin', 'GET', 'bad_path'],
  ['api.example.com', '/orders%2F..%2Fadmin', 'GET', 'bad_path'],
  ['api.example.com', '/orders/%2e%2e/admin', 'GET', 'bad_path'],
  ['api.example.com', '/orders/..;/admin', 'GET', 'bad_path'],
  ['api.example.com', '/orders/admin;x/users', 'GET', 'bad_path'],
  ['api.example.com', '//orders', 'GET', 'bad_path'],
  ['api.example.com', '/orders\\admin', 'GET', 'bad_path'],
  ['api.example.com', '/orders%00', 'GET', 'bad_path'],
  ['api.example.com', 'http://api.example.com/orders/1', 'GET', 'bad_path'],
  ['api.example.com', '/healthz', 'GET', 'api'],
  ['api.example.com', '/orders/1', 'TRACE', 'method_not_allowed'],
  ['api.example.com', '/orders/1', 'get', 'method_not_allowed'],
  ['shop.example.com', '/anything/at/all', 'DELETE', 'tenants'],
  ['shop.example.com', '/reports/q1', 'GET', 'tenant-reports'],
  ['shop.example.com', '/reports/q1', 'POST', 'tenants'],
  ['a.shop.example.com', '/x', 'GET', 'no_route'],
  ['example.com', '/x', 'GET', 'no_route'],
  ['[2001:DB8:0::1]:8443', '/x', 'GET', 'ipv6'],
  ['[2001:db8::1]', '/', 'GET', 'ipv6'],
  ['[2001:db8::2]', '/healthz', 'HEAD', 'health'],
  ['unknown.example.org', '/healthz', 'GET', 'health'],
  ['unknown.example.org', '/healthz', 'POST', 'method_not_allowed'],
  ['unknown.example.org', '/healthz/', 'GET', 'no_route'],
  ['unknown.example.org', '/x', 'GET', 'no_route'],
  ['docs.example.com', '/guide/', 'GET', 'guide-dir'],
  ['docs.example.com', '/guide', 'GET', 'guide'],
  // No docs.example.com route matches the path: the wildcard host is next.
  ['docs.example.com', '/guide/x', 'GET', 'tenants'],
  ['api.example.com:http', '/orders/1', 'GET', 'bad_host'],
  ['2001:db8::1', '/x', 'GET', 'bad_host'],
  ['api.example.com.', '/orders/1', 'GET', 'bad_host'],
  ['', '/healthz', 'GET', 'bad_host'],
  [undefined, '/healthz', 'GET', 'bad_host'],
];

/** Reference router: scan every route, keep those that match, take the most specific. */
function referenceMatch(routes: readonly RouteConfig[], hostHeader: string | undefined, target: string, method: string): RouteLookup {
  const host = normalizeRequestHost(hostHeader);
  if (host === undefined) return { route: null, reason: 'bad_host' };
  const normalized = normalizeRequestTarget(target);
  if (normalized === undefined) return { route: null, reason: 'bad_path' };
  const hostMatches = (pattern: string | null) =>
    pattern === null || pattern === host || (pattern.startsWith('*.') && host.endsWith(pattern.slice(1)) && !host.slice(0, -pattern.length + 1).includes('.'));
  const onPath = routes.map(compileRoute).filter((candidate) => hostMatches(candidate.config.match.host) && candidate.path.matches(normalized.path));
  const matching = onPath.filter((candidate) => ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].includes(method) && (candidate.methods?.has(method as 'GET') ?? true));
  if (matching.length === 0) return { route: null, reason: onPath.length > 0 ? 'method_not_allowed' : 'no_route' };
  const best = matching.sort(compareSpecificity)[0]!;
  return { route: best.config, path: normalized.path, search: normalized.search };
}

describe('route table: one table of requests, two routers', () => {
  const routers: Record<string, (host: string | undefined, target: string, method: string) => RouteLookup> = {
    compileRoutes: compileRoutes(TABLE).match,
    'brute-force reference': (host, target, method) => referenceMatch(TABLE, host, target, method),
  };
  for (const [name, match] of Object.entries(routers)) {
    it(name, () => {
      for (const [host, target, method, expected, path] of REQUEST_CASES) {
        const result = match(host, target, method);
        const label = `${method} ${String(host)} ${target}`;
        assert.equal(result.route === null ? result.reason : result.route.id, expected, label);
        if (path !== undefined && result.route !== null) assert.equal(result.path, path, label);
      }
    });
  }

  it('lists the routes most specific first', () => {
    assert.deepEqual(compileRoutes(TABLE).routes.map((entry) => entry.id), [
      'guide-dir', 'orders-admin', 'order-item', 'guide', 'orders', 'api', 'ipv6', 'tenant-reports', 'tenants', 'health',
    ]);
  });

  it('keeps the query for forwarding and never matches it', () => {
    const result = compileRoutes(TABLE).match('api.example.com', '/orders/1?next=/orders/admin', 'GET');
    assert.ok(result.route !== null);
    assert.deepEqual([result.route.id, result.path, result.search], ['order-item', '/orders/1', '?next=/orders/admin']);
  });

  it('an empty table refuses everything', () => {
    assert.deepEqual(compileRoutes([]).match('api.example.com', '/', 'GET'), { route: null, reason: 'no_route' });
  });
});

describe('route table: ambiguity is refused at load', () => {
  function refusal(...lines: string[]): ServerError {
    const routes = routesFrom(...lines);
    try {
      compileRoutes(routes);
    } catch (error) {
      assert.ok(error instanceof ServerError);
      return error;
    }
    assert.fail('the routes were accepted');
  }

  it('two equally specific routes that can match one request, naming both', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['path: /**', ''],
      ['host: api.example.com, path: /orders/**', 'host: api.example.com, path: /orders/**'],
      ['host: api.example.com, path: "/*/b/*"', 'host: api.example.com, path: "/*/*/c"'],
      ['host: "*.example.com", methods: [GET, POST]', 'host: "*.example.com", methods: [POST, PUT]'],
      ['path: "/*/**/z"', 'path: "/*/z/**"'],
    ];
    for (const [first, second] of cases) {
      const error = refusal(route('first', first), route('second', second));
      assert.equal(error.code, 'config_invalid', `${first} | ${second}`);
      assert.ok(error.message.includes('"first"') && error.message.includes('"second"'), error.message);
    }
  });

  it('accepts ties that cannot match one request, and routes of different specificity', () => {
    const accepted: [string, string][] = [
      ['host: api.example.com', 'host: app.example.com'],
      ['host: "*.example.com"', 'host: "*.shop.example.com"'],
      ['path: /orders/**, methods: [GET]', 'path: /orders/**, methods: [POST]'],
      ['path: "/a/*/c"', 'path: "/a/*/d"'],
      ['path: /a/', 'path: "/a/*"'],
      ['path: /a/**/z', 'path: /a/**/y'],
      ['path: /orders/**', 'path: "/orders/*"'],
      ['path: /orders/**', 'path: /orders/**, methods: [GET]'],
      ['host: api.example.com', ''],
      ['host: "*.example.com"', ''],
      ['path: "/*/b"', 'path: "/a/*"'],
    ];
    for (const [first, second] of accepted) assert.doesNotThrow(() => compileRoutes(routesFrom(route('first', first), route('second', second))), `${first} | ${second}`);
  });
});

describe('the DESIGN.md routes', () => {
  const routes = parseConfig([
    'issuer: https://auth.example.com',
    'routes:',
    '  - id: orders',
    '    match: { host: api.example.com, path: /orders/**, methods: [GET, POST] }',
    '    upstream: http://127.0.0.1:9001',
    '    audience: orders',
    '    allow:',
    '      - role: admin',
    '      - all: [ { scope: orders:read }, { method: GET } ]',
    '    deny:',
    '      - not: { ip: 10.0.0.0/8 }',
    '  - id: app',
    '    match: { host: app.example.com }',
    '    upstream: http://127.0.0.1:3000',
    '    audience: app',
    '    login: browser',
    '    allow: [ { authenticated: true } ]',
    '',
  ].join('\n'), { env: {} }).config.routes;
  const table = compileRoutes(routes);
  const id = (result: RouteLookup) => (result.route === null ? result.reason : result.route.id);

  it('route as DESIGN.md describes, and refuse the rest', () => {
    assert.equal(id(table.match('api.example.com', '/orders/42', 'GET')), 'orders');
    assert.equal(id(table.match('api.example.com', '/orders', 'POST')), 'orders');
    assert.equal(id(table.match('api.example.com', '/orders/42', 'DELETE')), 'method_not_allowed');
    assert.equal(id(table.match('api.example.com', '/invoices', 'GET')), 'no_route');
    assert.equal(id(table.match('app.example.com:443', '/settings/profile', 'PATCH')), 'app');
    assert.equal(id(table.match('evil.example.com', '/orders/42', 'GET')), 'no_route');
  });
});
