/**
 * `gatehouse clients add|list`: a client stored by the CLI obeys the rules of a configured one
 * (exact refusals, naming the flag), a confidential client's secret is shown once and works at a
 * running server at once, and no listing ever shows a secret or its hash.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { TEST_SECRETS } from '../support/issuer-harness.ts';
import { adminFixture, errorText, type AdminFixture } from './support/admin-fixture.ts';

const SEE_HELP = 'see `gatehouse clients add --help`';

describe('gatehouse clients', () => {
  let fixture: AdminFixture;
  beforeEach(async () => {
    fixture = await adminFixture();
  });
  afterEach(() => fixture.dispose());

  it('add a confidential client: its secret printed once, only a hash stored; a running server authenticates it at once', async () => {
    const issuer = await fixture.openIssuer();
    const added = await fixture.run(['clients', 'add', 'reports-svc', '--grants', 'client_credentials', '--scopes', 'orders:read,orders:write', '--audiences', 'orders', '--roles', 'reports']);
    assert.equal(added.code, 0, added.stderr);
    const secret = /^added confidential client reports-svc \(grants client_credentials\)\nclient secret: ([A-Za-z0-9_-]{43})\n$/.exec(added.stdout)?.[1];
    assert.ok(secret, added.stdout);
    assert.equal(added.stderr, 'the secret is shown only this once (the store keeps a hash): put it in the client\'s secret store now\n');

    const stored = await issuer.services.store.clients.find('reports-svc');
    const hash = stored?.secretHash ?? '';
    assert.ok(hash.startsWith('sha256:'), hash);
    assert.ok(!hash.includes(secret));
    const authenticated = await issuer.services.clients.authenticate('reports-svc', secret);
    assert.deepEqual(authenticated, {
      id: 'reports-svc', public: false, grants: ['client_credentials'], scopes: ['orders:read', 'orders:write'], audiences: ['orders'], redirectUris: [], roles: ['reports'], source: 'store',
    });
    assert.equal(await issuer.services.clients.authenticate('reports-svc', `${secret}x`), undefined);

    const again = await fixture.run(['clients', 'add', 'other-svc', '--grants', 'client_credentials']);
    assert.notEqual(/client secret: (\S+)/.exec(again.stdout)?.[1], secret, 'every client gets its own secret');
  });

  it('add --json prints the secret in the document; a public client has none', async () => {
    const added = await fixture.run(['clients', 'add', 'svc', '--grants', 'client_credentials', '--json']);
    const document = JSON.parse(added.stdout) as { secret: string };
    assert.match(document.secret, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(document, { id: 'svc', public: false, grants: ['client_credentials'], scopes: [], audiences: [], redirectUris: [], roles: [], secret: document.secret });

    const web = await fixture.run(['clients', 'add', 'web', '--public', '--grants', 'authorization_code,refresh_token', '--scopes', 'openid', '--redirect-uri', 'https://app.example.com/callback', '--redirect-uri', 'http://127.0.0.1:8765/cb']);
    assert.deepEqual(web, { code: 0, stdout: 'added public client web (grants authorization_code, refresh_token)\n', stderr: '' });
    const issuer = await fixture.openIssuer();
    assert.deepEqual((await issuer.services.clients.find('web'))?.redirectUris, ['https://app.example.com/callback', 'http://127.0.0.1:8765/cb']);
  });

  it('list: configured and stored clients, marked by source, never a secret or a hash', async () => {
    const added = await fixture.run(['clients', 'add', 'svc', '--grants', 'client_credentials', '--audiences', 'orders']);
    const secret = /client secret: (\S+)/.exec(added.stdout)![1]!;
    const table = await fixture.run(['clients', 'list']);
    assert.deepEqual(table, {
      code: 0,
      stderr: '',
      stdout: [
        'ID           SOURCE  TYPE          GRANTS              SCOPES       AUDIENCES',
        'billing-svc  config  confidential  client_credentials  orders:read  orders',
        'svc          store   confidential  client_credentials  -            orders',
        '',
      ].join('\n'),
    });
    const json = await fixture.run(['clients', 'list', '--json']);
    assert.deepEqual(JSON.parse(json.stdout), [
      { id: 'billing-svc', source: 'config', public: false, grants: ['client_credentials'], scopes: ['orders:read'], audiences: ['orders'], redirectUris: [], roles: ['billing'] },
      { id: 'svc', source: 'store', public: false, grants: ['client_credentials'], scopes: [], audiences: ['orders'], redirectUris: [], roles: [] },
    ]);
    for (const output of [table.stdout, json.stdout]) {
      assert.ok(!output.includes(secret) && !output.includes(TEST_SECRETS.billing) && !output.includes('sha256:'), output);
    }
  });

  it('add: an id taken in gatehouse.yaml or in the store is exit 5', async () => {
    assert.deepEqual(await fixture.run(['clients', 'add', 'billing-svc', '--grants', 'client_credentials']), {
      code: 5,
      stdout: '',
      stderr: errorText('a client with id "billing-svc" exists already in the configuration file (change it there)', 'pick another id; see the clients with `gatehouse clients list`'),
    });
    assert.equal((await fixture.run(['clients', 'add', 'svc', '--grants', 'client_credentials'])).code, 0);
    assert.deepEqual(await fixture.run(['clients', 'add', 'svc', '--public', '--grants', 'authorization_code', '--redirect-uri', 'https://a.example/cb']), {
      code: 5,
      stdout: '',
      stderr: errorText('a client with id "svc" exists already in the store', 'pick another id; see the clients with `gatehouse clients list`'),
    });
  });

  it('add: the configuration\'s rules, in the command line\'s terms (exit 2, nothing stored)', async () => {
    const refusals: [readonly string[], string][] = [
      [['svc'], 'invalid client: missing --grants: expected a list of at least 1 item, each one of authorization_code, refresh_token, client_credentials'],
      [['svc', '--grants', ''], 'invalid client: --grants: expected a list of at least 1 item, found an empty list'],
      [['bad id', '--grants', 'client_credentials'], 'invalid client: ID: expected an id of letters, digits, ., _ and - (at most 128), found "bad id"'],
      [['svc', '--grants', 'implicit'], 'invalid client: --grants: expected one of authorization_code, refresh_token, client_credentials, found "implicit"; OAuth 2.1 removed the implicit grant (tokens in the URL leak); use authorization_code with PKCE'],
      [['svc', '--grants', 'client_credentals'], 'invalid client: --grants: expected one of authorization_code, refresh_token, client_credentials, found "client_credentals"; did you mean "client_credentials"?'],
      [['web', '--public', '--grants', 'client_credentials'], 'invalid client: --grants: expected authorization_code or refresh_token for a public client, found "client_credentials"; client_credentials needs a secret to authenticate with'],
      [['web', '--grants', 'authorization_code'], 'invalid client: missing --redirect-uri: expected at least one redirect URI for the authorization_code grant'],
      [['svc', '--grants', 'client_credentials', '--scopes', 'a b'], 'invalid client: --scopes: expected a scope (printable ASCII without spaces, " or \\), found "a b"'],
      [['gatehouse-gateway', '--public', '--grants', 'authorization_code', '--redirect-uri', 'https://a.example/cb'], 'invalid client: ID: expected a client id other than gatehouse-gateway, found "gatehouse-gateway"; that id is reserved for the gateway\'s built-in client, which the login: browser routes define'],
      [
        ['web', '--grants', 'authorization_code', '--redirect-uri', 'http://app.example.com/cb', '--redirect-uri', 'https://app.example.com/cb#x'],
        'invalid client, 2 problems:\n' +
          '  --redirect-uri: expected an absolute https URL without fragment or wildcard (http only for localhost, 127.0.0.1 or [::1]), found "http://app.example.com/cb"; the scheme http is not allowed here\n' +
          '  --redirect-uri: expected an absolute https URL without fragment or wildcard (http only for localhost, 127.0.0.1 or [::1]), found "https://app.example.com/cb#x"; a fragment is not allowed',
      ],
    ];
    for (const [argv, message] of refusals) {
      assert.deepEqual(await fixture.run(['clients', 'add', ...argv]), { code: 2, stdout: '', stderr: errorText(message, SEE_HELP) }, argv.join(' '));
    }
    assert.equal(JSON.parse((await fixture.run(['clients', 'list', '--json'])).stdout).length, 1, 'only the configured client');
  });
});
