/**
 * Gateway authentication with real keys: tokens minted by the real issuer (in-process key set,
 * revocation lists) and by two simulated external IdPs — one with a JWKS served over HTTP on
 * 127.0.0.1 (Keycloak-like: RS256, roles at realm_access.roles, typed at+jwt), one with a local
 * JWKS file (ES256, untyped tokens, roles under a URL-named claim). Every refusal is asserted by
 * its reason code.
 */
import assert from 'node:assert/strict';
import { createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { JwksEvent } from '@gatehouse/verify';
import type { RouteConfig, TrustedIssuerConfig } from '../../src/config/index.ts';
import { createUpstreamAssertionMinter } from '../../src/gateway/assertion/mint-upstream-assertion.ts';
import {
  ACCESS_TOKEN_COOKIE,
  authenticate,
  BEARER_AUTHENTICATOR_ID,
  createGatewayAuthnChain,
  createRouteTokenVerifier,
  SESSION_COOKIE_AUTHENTICATOR_ID,
  type Authenticated,
  type Authenticator,
  type AuthnResult,
  type Refused,
  type RouteTokenVerifier,
} from '../../src/gateway/authn/index.ts';
import { createIdTokenMinter } from '../../src/issuer/tokens/mint-id-token.ts';
import { InMemoryKeyRepository } from '../../src/keys/in-memory-key-repository.ts';
import { KeyManager } from '../../src/keys/key-manager.ts';
import { createAccessTokenMinter, type AccessTokenRequest } from '../../src/tokens/mint-access-token.ts';
import { startIssuer, type IssuerHarness } from '../support/issuer-harness.ts';

const ACME = 'https://idp.acme.test/realms/main';
const FILES = 'https://idp.files.test';
const FILES_ROLES = 'https://files.test/roles';

const route = (id: string, audience: string): RouteConfig => ({
  id,
  match: { host: null, path: null, methods: null },
  upstream: 'http://127.0.0.1:9',
  audience,
  login: null,
  allow: [],
  deny: [],
  stripHeaders: [],
  forwardToken: false,
});
const ORDERS = route('orders', 'orders');
const APP = route('app', 'app');
const BILLING = route('billing', 'billing');

let now = Date.now();
const clock = () => now;

let issuer: IssuerHarness;
let tokens: RouteTokenVerifier;
let chain: readonly Authenticator[];
let jwksServer: Server;
let tempDir: string;
/** What the Acme JWKS endpoint serves; tests add keys to it. */
const acmePublished: JWK[] = [];
let acmeJwksRequests = 0;
const jwksEvents: { event: JwksEvent; issuer: string }[] = [];
const acmeKeys = new Map<string, CryptoKey>();
let filesKey: CryptoKey;

async function addAcmeKey(kid: string, publish: boolean): Promise<void> {
  const pair = await generateKeyPair('RS256', { extractable: true });
  acmeKeys.set(kid, pair.privateKey);
  if (publish) acmePublished.push({ ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' });
}

before(async () => {
  issuer = await startIssuer({ clock });

  await addAcmeKey('acme-1', true);
  await addAcmeKey('acme-unpublished', false);
  jwksServer = createServer((_request, response) => {
    acmeJwksRequests++;
    response.writeHead(200, { 'content-type': 'application/jwk-set+json' });
    response.end(JSON.stringify({ keys: acmePublished }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));

  tempDir = await mkdtemp(join(tmpdir(), 'gatehouse-authn-'));
  const filesPair = await generateKeyPair('ES256', { extractable: true });
  filesKey = filesPair.privateKey;
  const jwksFile = join(tempDir, 'files-idp.jwks.json');
  await writeFile(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(filesPair.publicKey)), kid: 'files-1', use: 'sig' }] }));

  const trust: TrustedIssuerConfig[] = [
    {
      issuer: ACME,
      jwks: { kind: 'remote', url: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/realms/main/certs` },
      audiences: ['orders'],
      rolesClaim: ['realm_access', 'roles'],
      algorithms: ['RS256'],
      typ: 'at+jwt',
    },
    { issuer: FILES, jwks: { kind: 'file', path: jwksFile }, audiences: ['orders', 'app'], rolesClaim: [FILES_ROLES], algorithms: ['ES256'], typ: null },
  ];
  tokens = await createRouteTokenVerifier({
    issuer: issuer.url,
    ownKeys: issuer.services.keys.keySet,
    trust,
    isRevoked: issuer.services.revocations.isRevoked,
    leewaySeconds: issuer.services.config.tokens.leewaySeconds,
    clock,
    // No cooldown, so that each unknown kid refetches here; the rate limit is the key source's own (tested in the SDK).
    remoteJwks: { refreshCooldownMs: 0 },
    onJwksEvent: (event, from) => jwksEvents.push({ event, issuer: from }),
  });
  chain = createGatewayAuthnChain(tokens);
});

after(async () => {
  await tokens?.close();
  await issuer?.close();
  await new Promise((resolve) => jwksServer?.close(resolve));
  if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
});

const run = async (headers: IncomingHttpHeaders, at: RouteConfig = ORDERS): Promise<AuthnResult> => authenticate(chain, { headers }, at);
const bearer = (token: string): IncomingHttpHeaders => ({ authorization: `Bearer ${token}` });

function assertAuthenticated(result: AuthnResult): Authenticated {
  assert.equal(result.kind, 'authenticated', result.kind === 'refused' ? `refused: ${result.reason} (${result.detail})` : undefined);
  return result as Authenticated;
}

function assertRefused(result: AuthnResult, reason: Refused['reason']): Refused {
  assert.equal(result.kind, 'refused');
  assert.equal((result as Refused).reason, reason);
  return result as Refused;
}

const ours = (request: Partial<AccessTokenRequest> = {}) =>
  issuer.services.mintAccessToken({ subject: 'alice', audience: 'orders', clientId: 'web', scopes: ['openid', 'orders:read'], roles: ['admin'], ...request });

interface ExternalToken {
  readonly claims?: Record<string, unknown>;
  readonly typ?: string | undefined;
  /** Seconds relative to now. */
  readonly iatOffset?: number;
  readonly ttl?: number;
}

/** An access token of the Keycloak-like IdP. */
function acmeToken(options: ExternalToken & { kid?: string } = {}): Promise<string> {
  const kid = options.kid ?? 'acme-1';
  const header = { alg: 'RS256', kid, ...(options.typ === undefined && 'typ' in options ? {} : { typ: options.typ ?? 'at+jwt' }) };
  return sign({ iss: ACME, sub: 'bob', aud: ['orders', 'account'], azp: 'acme-portal', jti: randomUUID(), realm_access: { roles: ['admin', 'ops'] }, scope: 'openid orders:read', ...options.claims }, header, acmeKeys.get(kid)!, options);
}

/** An access token of the IdP trusted through a local JWKS file: untyped, no jti, no client_id. */
function filesToken(options: ExternalToken = {}): Promise<string> {
  return sign({ iss: FILES, sub: 'carol', aud: 'orders', [FILES_ROLES]: 'auditor', scp: ['orders:read'], ...options.claims }, { alg: 'ES256', kid: 'files-1' }, filesKey, options);
}

function sign(payload: Record<string, unknown>, header: Record<string, string>, key: CryptoKey, options: ExternalToken): Promise<string> {
  const iat = Math.floor(now / 1000) + (options.iatOffset ?? 0);
  return new SignJWT(payload)
    .setProtectedHeader(header as { alg: string })
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.ttl ?? 300))
    .sign(key);
}

describe('our own tokens', () => {
  it('a token for the route\'s audience authenticates: sub, roles, scopes, the verified claims', async () => {
    const minted = await ours();
    const result = assertAuthenticated(await run(bearer(minted.token)));
    assert.equal(result.authenticator, BEARER_AUTHENTICATOR_ID);
    assert.deepEqual(
      { authenticated: result.identity.authenticated, sub: result.identity.sub, roles: result.identity.roles, scopes: result.identity.scopes },
      { authenticated: true, sub: 'alice', roles: ['admin'], scopes: ['openid', 'orders:read'] },
    );
    assert.equal(result.identity.claims, result.verified.claims);
    assert.equal(result.verified.issuer, issuer.url);
    assert.equal(result.verified.kid, minted.kid);
    assert.equal(result.verified.claims.jti, minted.jti);
    assert.deepEqual(result.notes, []);
  });

  it('`bearer` in lower case is the same scheme', async () => {
    assertAuthenticated(await run({ authorization: `bearer ${(await ours()).token}` }));
  });

  it('at a route with another audience: wrong_audience, with the token\'s jti and kid for the audit log', async () => {
    const minted = await ours();
    const result = assertRefused(await run(bearer(minted.token), APP), 'wrong_audience');
    assert.equal(result.unverified?.jti, minted.jti);
    assert.equal(result.unverified?.kid, minted.kid);
  });

  it('the second verification of the same token is a cache hit, and maps to the same identity object', async () => {
    const { token } = await ours();
    const first = assertAuthenticated(await run(bearer(token)));
    const second = assertAuthenticated(await run(bearer(token)));
    assert.equal(first.verified.cached, false);
    assert.equal(second.verified.cached, true);
    assert.equal(second.identity, first.identity);
  });

  it('a cached token is answered synchronously (no microtask on the steady-state path)', async () => {
    const { token } = await ours();
    await run(bearer(token));
    const result = authenticate(chain, { headers: bearer(token) }, ORDERS);
    assert.equal(typeof (result as { then?: unknown }).then, 'undefined');
    assertAuthenticated(result as AuthnResult);
  });

  it('revoking the token takes effect at once, cached or not: token_revoked', async () => {
    const minted = await ours();
    assertAuthenticated(await run(bearer(minted.token)));
    assert.equal(assertAuthenticated(await run(bearer(minted.token))).verified.cached, true);
    await issuer.services.revoker.revoke({ kind: 'token', value: minted.jti, expiresAt: minted.exp * 1000, reason: 'test' });
    assertRefused(await run(bearer(minted.token)), 'token_revoked');
  });

  it('revoking the subject refuses its tokens issued before: token_revoked', async () => {
    const minted = await ours({ subject: 'dave' });
    assertAuthenticated(await run(bearer(minted.token)));
    await issuer.services.revoker.revoke({ kind: 'subject', value: 'dave', reason: 'test' });
    assertRefused(await run(bearer(minted.token)), 'token_revoked');
  });

  it('expired (beyond the leeway): token_expired', async () => {
    const { token } = await ours({ ttlSeconds: 60 });
    const saved = now;
    now += (60 + issuer.services.config.tokens.leewaySeconds + 1) * 1000;
    try {
      assertRefused(await run(bearer(token)), 'token_expired');
    } finally {
      now = saved;
    }
  });

  it('an ID token (typ JWT) is not an access token: wrong_typ', async () => {
    const minted = await createIdTokenMinter({ issuer: issuer.url, keys: issuer.services.keys, clock })({
      subject: 'alice',
      clientId: 'orders',
      authTime: now,
      sessionId: 'family-1',
      accessToken: (await ours()).token,
    });
    assertRefused(await run(bearer(minted.token)), 'wrong_typ');
  });

  it('an upstream assertion is not an access token: wrong_typ', async () => {
    const minted = await createUpstreamAssertionMinter({ issuer: issuer.url, keys: issuer.services.keys, clock })({
      identity: { sub: 'alice', client_id: 'web', jti: 'at-1' },
      audience: 'orders',
      routeId: 'orders',
    });
    assertRefused(await run(bearer(minted.token)), 'wrong_typ');
  });

  it('signed by a key our issuer never published: unknown_kid', async () => {
    const stranger = await KeyManager.open({ repository: new InMemoryKeyRepository(), masterKey: createSecretKey(randomBytes(32)), clock });
    const minted = await createAccessTokenMinter({ issuer: issuer.url, keys: stranger, clock })({ subject: 'mallory', audience: 'orders', clientId: 'web' });
    const result = assertRefused(await run(bearer(minted.token)), 'unknown_kid');
    assert.equal(result.unverified?.kid, minted.kid);
  });

  it('a token with its payload swapped: bad_signature', async () => {
    const [header, , signature] = (await ours()).token.split('.');
    const [, payload] = (await ours({ roles: ['admin', 'root'] })).token.split('.');
    assertRefused(await run(bearer(`${header}.${payload}.${signature}`)), 'bad_signature');
  });

  it('not a JWS: malformed_token', async () => {
    assertRefused(await run(bearer('abc')), 'malformed_token');
  });
});

describe('a trusted IdP with a remote JWKS (roles at realm_access.roles)', () => {
  it('authenticates on first use (keys fetched while the request waits), roles from the claim path', async () => {
    const result = assertAuthenticated(await run(bearer(await acmeToken({ claims: { scope: undefined, scp: ['orders:read'] } }))));
    assert.equal(result.verified.issuer, ACME);
    assert.equal(result.identity.sub, 'bob');
    assert.deepEqual(result.identity.roles, ['admin', 'ops']);
    assert.deepEqual(result.identity.scopes, ['orders:read']);
    assert.deepEqual(result.notes, []);
    assert.ok(jwksEvents.some(({ event, issuer: from }) => event.type === 'jwks.fetched' && from === ACME));
  });

  it('a token whose aud names an audience the trust entry does not list: wrong_audience, although aud matches the route', async () => {
    const token = await acmeToken({ claims: { aud: ['orders', 'billing'] } });
    assertAuthenticated(await run(bearer(token), ORDERS));
    const result = assertRefused(await run(bearer(token), BILLING), 'wrong_audience');
    assert.equal(result.unverified?.sub, 'bob');
  });

  it('at a route whose audience its aud does not contain: wrong_audience', async () => {
    assertRefused(await run(bearer(await acmeToken()), APP), 'wrong_audience');
  });

  it('no jti and no client_id (common at IdPs) is accepted; no sub is missing_claim', async () => {
    assertAuthenticated(await run(bearer(await acmeToken({ claims: { jti: undefined, azp: undefined } }))));
    assertRefused(await run(bearer(await acmeToken({ claims: { sub: undefined } }))), 'missing_claim');
  });

  it('roles of the wrong shape: authenticated without roles, with a note for the audit log', async () => {
    const result = assertAuthenticated(await run(bearer(await acmeToken({ claims: { realm_access: { roles: 42 } } }))));
    assert.deepEqual(result.identity.roles, []);
    assert.deepEqual(result.notes.map((note) => note.code), ['roles_claim_unusable']);
  });

  it('revoking its subject takes effect at once: token_revoked', async () => {
    const token = await acmeToken({ claims: { sub: 'erin' } });
    assertAuthenticated(await run(bearer(token)));
    await issuer.services.revoker.revoke({ kind: 'subject', value: 'erin', reason: 'test' });
    assertRefused(await run(bearer(token)), 'token_revoked');
  });

  it('expired: token_expired', async () => {
    assertRefused(await run(bearer(await acmeToken({ iatOffset: -3600, ttl: 300 }))), 'token_expired');
  });

  it('typed JWT (an ID token) or untyped, where the trust entry expects at+jwt: wrong_typ', async () => {
    assertRefused(await run(bearer(await acmeToken({ typ: 'JWT' }))), 'wrong_typ');
    assertRefused(await run(bearer(await acmeToken({ typ: undefined }))), 'wrong_typ');
  });

  it('a kid it has not published: one refetch, then unknown_kid', async () => {
    const before = acmeJwksRequests;
    const result = assertRefused(await run(bearer(await acmeToken({ kid: 'acme-unpublished' }))), 'unknown_kid');
    assert.equal(result.unverified?.kid, 'acme-unpublished');
    assert.equal(acmeJwksRequests, before + 1);
  });

  it('a key it publishes after our first fetch (rotation): the unknown kid triggers a refetch and the token verifies', async () => {
    await addAcmeKey('acme-2', true);
    const result = assertAuthenticated(await run(bearer(await acmeToken({ kid: 'acme-2' }))));
    assert.equal(result.verified.kid, 'acme-2');
  });

  it('a token of one trusted issuer is never verified with another\'s key', async () => {
    // Signed by the file IdP's key, claiming to be Acme under the file IdP's kid.
    const forged = await sign({ iss: ACME, sub: 'bob', aud: 'orders' }, { alg: 'ES256', kid: 'files-1', typ: 'at+jwt' }, filesKey, {});
    assertRefused(await run(bearer(forged)), 'unknown_kid');
  });
});

describe('a trusted IdP with a local JWKS file (untyped tokens, roles under a URL-named claim)', () => {
  it('authenticates: a single-string role, scopes from scp', async () => {
    const result = assertAuthenticated(await run(bearer(await filesToken())));
    assert.equal(result.verified.issuer, FILES);
    assert.deepEqual([result.identity.sub, result.identity.roles, result.identity.scopes], ['carol', ['auditor'], ['orders:read']]);
  });

  it('is accepted at every audience of its trust entry, and only there', async () => {
    assertAuthenticated(await run(bearer(await filesToken({ claims: { aud: ['orders', 'app'] } })), APP));
    assertRefused(await run(bearer(await filesToken({ claims: { aud: ['orders', 'billing'] } })), BILLING), 'wrong_audience');
  });

  it('an unknown kid is refused at once (a file has no refetch): unknown_kid', async () => {
    const token = await sign({ iss: FILES, sub: 'carol', aud: 'orders' }, { alg: 'ES256', kid: 'files-2' }, filesKey, {});
    assertRefused(await run(bearer(token)), 'unknown_kid');
  });
});

describe('the session cookie, and the Bearer header over it', () => {
  it('the cookie alone authenticates, attributed to the cookie authenticator', async () => {
    const result = assertAuthenticated(await run({ cookie: `theme=dark; ${ACCESS_TOKEN_COOKIE}=${(await ours()).token}` }));
    assert.equal(result.authenticator, SESSION_COOKIE_AUTHENTICATOR_ID);
  });

  it('both: the Bearer token decides (alice by Bearer, not bob by cookie)', async () => {
    const result = assertAuthenticated(await run({ ...bearer((await ours()).token), cookie: `${ACCESS_TOKEN_COOKIE}=${await acmeToken()}` }));
    assert.equal(result.identity.sub, 'alice');
    assert.equal(result.authenticator, BEARER_AUTHENTICATOR_ID);
  });

  it('an expired Bearer token with a good cookie: refused, not rescued', async () => {
    const expired = await acmeToken({ iatOffset: -3600 });
    assertRefused(await run({ ...bearer(expired), cookie: `${ACCESS_TOKEN_COOKIE}=${(await ours()).token}` }), 'token_expired');
  });

  it('a cached token is a cache hit whichever authenticator carries it', async () => {
    const { token } = await ours();
    assert.equal(assertAuthenticated(await run(bearer(token))).verified.cached, false);
    assert.equal(assertAuthenticated(await run({ cookie: `${ACCESS_TOKEN_COOKIE}=${token}` })).verified.cached, true);
  });
});

describe('a bad token never becomes anonymous', () => {
  const cases: Record<string, () => Promise<IncomingHttpHeaders>> = {
    'garbage after Bearer': async () => bearer('not-a-jwt'),
    'Bearer with no token': async () => ({ authorization: 'Bearer' }),
    'an expired token': async () => bearer(await acmeToken({ iatOffset: -3600 })),
    'a token for another audience': async () => bearer((await ours({ audience: 'app' })).token),
    'a token from an untrusted issuer': async () => bearer(await sign({ iss: 'https://evil.test', sub: 'x', aud: 'orders' }, { alg: 'ES256', kid: 'files-1' }, filesKey, {})),
    'a garbage session cookie': async () => ({ cookie: `${ACCESS_TOKEN_COOKIE}=garbage` }),
  };
  for (const [what, headers] of Object.entries(cases)) {
    it(`${what}: refused, never anonymous`, async () => {
      assert.equal((await run(await headers())).kind, 'refused');
    });
  }

  it('no credential at all: anonymous', async () => {
    assert.equal((await run({ cookie: 'theme=dark', authorization: 'Basic dXNlcjpw' })).kind, 'anonymous');
  });
});
