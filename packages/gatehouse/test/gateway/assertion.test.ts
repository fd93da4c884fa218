/**
 * Upstream assertions as the gateway mints them (DESIGN.md "Tokens"): signed with the issuer's
 * active key, so an upstream verifies them against the issuer's JWKS — with jose
 * (createRemoteJWKSet against a JWKS served on 127.0.0.1) and with the verify SDK's
 * createAssertionVerifier; never confused with access tokens in either direction.
 */
import assert from 'node:assert/strict';
import { createSecretKey, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { createAssertionVerifier, createRemoteKeySource, createVerifier, type RemoteKeySource } from '@gatehouse/verify';
import { ServerError } from '../../src/errors.ts';
import {
  ASSERTION_HEADER,
  ASSERTION_TYP,
  createUpstreamAssertionMinter,
  type UpstreamAssertionMinterOptions,
  type UpstreamAssertionRequest,
} from '../../src/gateway/assertion/mint-upstream-assertion.ts';
import { InMemoryKeyRepository } from '../../src/keys/in-memory-key-repository.ts';
import { KeyManager } from '../../src/keys/key-manager.ts';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../../src/keys/signing-algorithms.ts';
import { createAccessTokenMinter } from '../../src/tokens/mint-access-token.ts';

const ISSUER = 'https://auth.example.com';
const T0 = Date.UTC(2030, 0, 1, 12);
const IAT = Math.floor(T0 / 1000);
const codeOf = (code: string) => (error: unknown) => error instanceof ServerError && error.code === code;

/** A request as the gateway has it after authn and authz: the verified access token's claims, and the route. */
const REQUEST: UpstreamAssertionRequest = {
  identity: { sub: 'alice', client_id: 'web', scope: 'orders:read', roles: ['admin'], sid: 'fam-1', jti: 'at-jti-1' },
  audience: 'orders',
  routeId: 'orders',
};

const managers = new Map<SigningAlgorithm, KeyManager>();
const servers: Server[] = [];
const sources: RemoteKeySource[] = [];

before(async () => {
  for (const alg of SIGNING_ALGORITHMS) {
    managers.set(alg, await KeyManager.open({ repository: new InMemoryKeyRepository(), masterKey: createSecretKey(randomBytes(32)), algorithm: alg, clock: () => T0 }));
  }
});

after(async () => {
  await Promise.all(sources.map((source) => source.close()));
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Serves the manager's JWKS on 127.0.0.1, as the issuer's /.well-known/jwks.json does. */
async function serveJwks(manager: KeyManager): Promise<URL> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/jwk-set+json' });
    response.end(JSON.stringify(manager.jwks()));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`);
}

function minter(options: Partial<UpstreamAssertionMinterOptions> = {}, alg: SigningAlgorithm = 'ES256') {
  return createUpstreamAssertionMinter({ issuer: ISSUER, keys: managers.get(alg)!, clock: () => T0, ...options });
}

describe('upstream assertions verify against the issuer\'s JWKS', () => {
  for (const alg of SIGNING_ALGORITHMS) {
    it(`${alg}: jose createRemoteJWKSet + jwtVerify (typ, audience, issuer, maxTokenAge) and the SDK's createAssertionVerifier accept it`, async () => {
      const manager = managers.get(alg)!;
      const url = await serveJwks(manager);
      const minted = await minter({}, alg)(REQUEST);

      const { payload, protectedHeader } = await jwtVerify(minted.token, createRemoteJWKSet(url), {
        typ: ASSERTION_TYP,
        audience: 'orders',
        issuer: ISSUER,
        maxTokenAge: '60s',
        algorithms: [alg],
        requiredClaims: ['sub', 'jti', 'gh_route'],
        currentDate: new Date(T0 + 10_000),
      });
      assert.deepEqual(protectedHeader, { alg, kid: manager.signingKey().kid, typ: ASSERTION_TYP });
      assert.equal(payload.jti, minted.jti);

      const source = createRemoteKeySource(url);
      sources.push(source);
      const upstream = createAssertionVerifier({ issuer: ISSUER, keys: source, audience: 'orders', clock: () => T0 + 10_000 });
      const result = await upstream.verify(minted.token);
      assert.ok(result.ok, result.ok ? '' : `${result.reason}: ${result.detail}`);
      assert.equal(result.kid, minted.kid);
      assert.equal(result.claims.gh_route, 'orders');
      assert.equal(result.claims.token_jti, 'at-jti-1');
    });
  }

  it('is never accepted as an access token, and an access token is never accepted as an assertion', async () => {
    const manager = managers.get('ES256')!;
    const jwks = createLocalJWKSet(manager.jwks() as Parameters<typeof createLocalJWKSet>[0]);
    const minted = await minter()(REQUEST);
    const accessToken = (await createAccessTokenMinter({ issuer: ISSUER, keys: manager, clock: () => T0 })({ subject: 'alice', audience: 'orders', clientId: 'web' })).token;

    const accessVerifier = createVerifier({ issuers: { issuer: ISSUER, keys: manager.keySet }, audience: 'orders', clock: () => T0 });
    const assertionVerifier = createAssertionVerifier({ issuer: ISSUER, keys: manager.keySet, audience: 'orders', clock: () => T0 });
    assert.equal(accessVerifier.verifySync(accessToken).ok, true, 'control: the access token is one');
    assert.equal(assertionVerifier.verifySync(minted.token).ok, true, 'control: the assertion is one');
    const refusedAsAccess = accessVerifier.verifySync(minted.token);
    assert.equal(refusedAsAccess.ok ? 'ok' : refusedAsAccess.reason, 'wrong_typ');
    const refusedAsAssertion = assertionVerifier.verifySync(accessToken);
    assert.equal(refusedAsAssertion.ok ? 'ok' : refusedAsAssertion.reason, 'wrong_typ');

    // jose agrees, on typ alone.
    await assert.rejects(jwtVerify(minted.token, jwks, { typ: 'at+jwt', audience: 'orders', issuer: ISSUER, currentDate: new Date(T0) }), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'typ' });
    await assert.rejects(jwtVerify(accessToken, jwks, { typ: ASSERTION_TYP, audience: 'orders', issuer: ISSUER, currentDate: new Date(T0) }), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'typ' });
  });

  it('expires: refused by jose and by the SDK once exp (plus the leeway) has passed', async () => {
    const manager = managers.get('ES256')!;
    const minted = await minter()(REQUEST);
    const at = (ms: number) => createAssertionVerifier({ issuer: ISSUER, keys: manager.keySet, audience: 'orders', clock: () => ms }).verifySync(minted.token);
    assert.equal(at(T0 + 34_000).ok, true);
    const expired = at(T0 + 35_000);
    assert.equal(expired.ok ? 'ok' : expired.reason, 'token_expired');
    const jwks = createLocalJWKSet(manager.jwks() as Parameters<typeof createLocalJWKSet>[0]);
    await assert.rejects(jwtVerify(minted.token, jwks, { typ: ASSERTION_TYP, audience: 'orders', issuer: ISSUER, currentDate: new Date(T0 + 31_000) }), { code: 'ERR_JWT_EXPIRED' });
  });
});

describe('upstream assertion contents', () => {
  it('carries exactly the identity, the route and the token\'s jti, 30 s by default', async () => {
    const minted = await minter()(REQUEST);
    assert.deepEqual(decodeProtectedHeader(minted.token), { alg: 'ES256', kid: managers.get('ES256')!.signingKey().kid, typ: 'gatehouse-assertion+jwt' });
    assert.deepEqual(decodeJwt(minted.token), {
      iss: ISSUER,
      aud: 'orders',
      sub: 'alice',
      iat: IAT,
      exp: IAT + 30,
      jti: minted.jti,
      client_id: 'web',
      scope: 'orders:read',
      roles: ['admin'],
      sid: 'fam-1',
      gh_route: 'orders',
      token_jti: 'at-jti-1',
    });
    assert.equal(minted.exp, IAT + 30);
    assert.equal(ASSERTION_HEADER, 'X-Gatehouse-Assertion');
  });

  it('takes the verified claims as they come, leaving out what the identity lacks', async () => {
    const claims = decodeJwt((await minter()({ ...REQUEST, identity: { sub: 'svc-billing' } })).token);
    assert.deepEqual(Object.keys(claims).sort(), ['aud', 'exp', 'gh_route', 'iat', 'iss', 'jti', 'sub']);
  });

  it('has a fresh random jti (128 bits) every time', async () => {
    const mint = minter();
    const jtis = new Set<string>();
    for (let i = 0; i < 20; i++) jtis.add((await mint(REQUEST)).jti);
    assert.equal(jtis.size, 20);
    for (const jti of jtis) assert.match(jti, /^[A-Za-z0-9_-]{22}$/);
  });

  it('lives 1..60 s: a longer or odd lifetime is refused when the minter is built (token_ttl_invalid)', async () => {
    assert.equal(decodeJwt((await minter({ ttlSeconds: 60 })(REQUEST)).token).exp, IAT + 60);
    assert.equal(decodeJwt((await minter({ ttlSeconds: 1 })(REQUEST)).token).exp, IAT + 1);
    for (const ttlSeconds of [61, 3600, 0, -5, 1.5, Number.NaN]) assert.throws(() => minter({ ttlSeconds }), codeOf('token_ttl_invalid'), String(ttlSeconds));
    assert.throws(() => minter({ issuer: '' }), codeOf('config_invalid'));
  });

  it('never outlives the access token it stands for: exp is the token\'s when that comes first', async () => {
    const minted = await minter()({ ...REQUEST, identity: { ...REQUEST.identity, exp: IAT + 7 } });
    assert.equal(minted.exp, IAT + 7);
    assert.equal(decodeJwt(minted.token).exp, IAT + 7);
    assert.equal((await minter()({ ...REQUEST, identity: { ...REQUEST.identity, exp: IAT + 3600 } })).exp, IAT + 30);
    // A token past its exp but inside the gateway's leeway: a one-second assertion, never a dead one.
    assert.equal((await minter()({ ...REQUEST, identity: { ...REQUEST.identity, exp: IAT - 10 } })).exp, IAT + 1);
    assert.equal(decodeJwt((await minter()({ ...REQUEST, identity: { ...REQUEST.identity, iss: 'https://idp.example.com' } })).token).token_iss, 'https://idp.example.com');
  });

  it('refuses what the gateway should never pass: an empty route, audience or sub, a non-integer exp', async () => {
    const mint = minter();
    for (const bad of [
      { routeId: '' },
      { audience: '' },
      { identity: { sub: '' } },
      { identity: { sub: 'alice', exp: 1.5 } },
    ]) {
      await assert.rejects(mint({ ...REQUEST, ...bad } as UpstreamAssertionRequest), TypeError, JSON.stringify(bad));
    }
  });

  it('signs with whatever key is active at the time of the call (after a rotation, the new one)', async () => {
    let now = T0;
    const manager = await KeyManager.open({ repository: new InMemoryKeyRepository(), masterKey: createSecretKey(randomBytes(32)), clock: () => now });
    const mint = createUpstreamAssertionMinter({ issuer: ISSUER, keys: manager, clock: () => now });
    const first = await mint(REQUEST);
    const rotated = await manager.rotate();
    now = rotated.activatesAt;
    await manager.tick();
    const second = await mint(REQUEST);
    assert.notEqual(first.kid, second.kid);
    assert.equal(second.kid, rotated.kid);
    assert.equal(second.kid, manager.signingKey().kid);
  });
});
