import assert from 'node:assert/strict';
import { createSecretKey, randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { createVerifier, decodeBase64url, LocalKeySet } from '@gatehouse/verify';
import {
  createAccessTokenMinter,
  InMemoryKeyRepository,
  KeyManager,
  SIGNING_ALGORITHMS,
  type AccessTokenMinterOptions,
  type AccessTokenRequest,
  type SigningAlgorithm,
} from 'gatehouse';
import { ServerError } from '../src/errors.ts';

const ISSUER = 'https://auth.example.com';
const T0 = Date.UTC(2030, 0, 1, 12);
const codeOf = (code: string) => (error: unknown) => (error as { code?: string }).code === code;
const REQUEST: AccessTokenRequest = { subject: 'alice', audience: 'orders', clientId: 'web' };

const managers = new Map<SigningAlgorithm, KeyManager>();
before(async () => {
  for (const alg of SIGNING_ALGORITHMS) {
    managers.set(alg, await KeyManager.open({ repository: new InMemoryKeyRepository(), masterKey: createSecretKey(randomBytes(32)), algorithm: alg, clock: () => T0 }));
  }
});

function minter(options: Partial<AccessTokenMinterOptions> = {}, alg: SigningAlgorithm = 'ES256') {
  return createAccessTokenMinter({ issuer: ISSUER, keys: managers.get(alg)!, clock: () => T0, ...options });
}

describe('access tokens verify everywhere', () => {
  for (const alg of SIGNING_ALGORITHMS) {
    it(`${alg}: jose (local JWKS, typ at+jwt) and @gatehouse/verify accept it`, async () => {
      const manager = managers.get(alg)!;
      const minted = await minter({}, alg)({ ...REQUEST, scopes: ['orders:read'], roles: ['admin'] });

      const { payload, protectedHeader } = await jwtVerify(minted.token, createLocalJWKSet(manager.jwks() as Parameters<typeof createLocalJWKSet>[0]), {
        typ: 'at+jwt',
        issuer: ISSUER,
        audience: 'orders',
        algorithms: [alg],
        currentDate: new Date(T0),
      });
      assert.deepEqual(protectedHeader, { alg, kid: manager.signingKey().kid, typ: 'at+jwt' });
      assert.equal(payload.jti, minted.jti);
      assert.equal(payload.exp, minted.exp);

      for (const keys of [manager.keySet, LocalKeySet.fromJwks(manager.jwks())]) {
        const verifier = createVerifier({ issuers: { issuer: ISSUER, keys }, audience: 'orders', clock: () => T0 });
        const result = verifier.verifySync(minted.token);
        assert.ok(result.ok, result.ok ? '' : result.reason);
        assert.equal(result.alg, alg);
        assert.equal(result.kid, minted.kid);
        assert.equal(result.claims.client_id, 'web');
        assert.equal(verifier.verifySync(minted.token, { audience: 'billing' }).ok ? 'ok' : 'refused', 'refused');
      }
    });
  }
});

describe('access token contents (RFC 9068)', () => {
  it('carries the header and registered claims, with a 5-minute default lifetime', async () => {
    const minted = await minter()(REQUEST);
    assert.deepEqual(decodeProtectedHeader(minted.token), { alg: 'ES256', kid: minted.kid, typ: 'at+jwt' });
    const iat = Math.floor(T0 / 1000);
    assert.deepEqual(decodeJwt(minted.token), { iss: ISSUER, sub: 'alice', aud: 'orders', exp: iat + 300, iat, jti: minted.jti, client_id: 'web', roles: [] });
    assert.equal(minted.exp, iat + 300);
    assert.equal(minted.kid, managers.get('ES256')!.signingKey().kid);
  });

  it('joins scopes with spaces, omits scope when empty, and keeps roles, several audiences and sid', async () => {
    const claims = decodeJwt(
      (await minter()({ ...REQUEST, audience: ['orders', 'app'], scopes: ['openid', 'orders:read', 'openid'], roles: ['admin', 'billing'], sessionId: 'fam-1' })).token,
    );
    assert.equal(claims.scope, 'openid orders:read');
    assert.deepEqual(claims.roles, ['admin', 'billing']);
    assert.deepEqual(claims.aud, ['orders', 'app']);
    assert.equal(claims.sid, 'fam-1');
    const bare = decodeJwt((await minter()({ ...REQUEST, audience: ['orders'], scopes: [] })).token);
    assert.ok(!('scope' in bare));
    assert.ok(!('sid' in bare));
    assert.equal(bare.aud, 'orders');
  });

  it('adds only the configured attributes, never over the claims it sets', async () => {
    const mint = minter({ attributeClaims: ['email', 'department', 'unset'] });
    const claims = decodeJwt((await mint({ ...REQUEST, attributes: { email: 'alice@example.com', department: 'ops', password: 'hunter2', sub: 'mallory' } })).token);
    assert.equal(claims.email, 'alice@example.com');
    assert.equal(claims.department, 'ops');
    assert.equal(claims.sub, 'alice');
    assert.ok(!('password' in claims));
    assert.ok(!('unset' in claims));
    for (const reserved of ['sub', 'iss', 'exp', 'scope', 'roles', 'client_id', 'cnf', '__proto__', '']) {
      assert.throws(() => minter({ attributeClaims: [reserved] }), codeOf('config_invalid'), reserved);
    }
  });

  it('gives every token its own 128-bit jti', async () => {
    const mint = minter();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const { jti } = await mint(REQUEST);
      assert.equal(decodeBase64url(jti)?.length, 16);
      seen.add(jti);
    }
    assert.equal(seen.size, 1000);
  });

  it('refuses malformed requests (caller bugs)', async () => {
    const mint = minter();
    const bad: AccessTokenRequest[] = [
      { ...REQUEST, subject: '' },
      { ...REQUEST, clientId: '' },
      { ...REQUEST, audience: [] },
      { ...REQUEST, audience: ['orders', ''] },
      { ...REQUEST, scopes: ['orders read'] },
      { ...REQUEST, scopes: ['say"hi'] },
      { ...REQUEST, roles: [''] },
      { ...REQUEST, sessionId: '' },
    ];
    for (const request of bad) await assert.rejects(mint(request), TypeError, JSON.stringify(request));
  });

  it('passes on no_signing_key when there is no key to sign with', async () => {
    const mint = createAccessTokenMinter({
      issuer: ISSUER,
      keys: {
        signingKey() {
          throw new ServerError('no_signing_key', 'none');
        },
      },
    });
    await assert.rejects(mint(REQUEST), codeOf('no_signing_key'));
  });
});

describe('access token lifetimes', () => {
  it('accepts any whole number of seconds up to the configured maximum', async () => {
    const mint = minter({ maxTtlSeconds: 600 });
    const iat = Math.floor(T0 / 1000);
    assert.equal((await mint({ ...REQUEST, ttlSeconds: 1 })).exp, iat + 1);
    assert.equal((await mint({ ...REQUEST, ttlSeconds: 600 })).exp, iat + 600);
    assert.equal((await minter()({ ...REQUEST, ttlSeconds: 3600 })).exp, iat + 3600);
  });

  it('refuses zero, negative, fractional, non-finite and over-maximum lifetimes (token_ttl_invalid)', async () => {
    const mint = minter({ maxTtlSeconds: 600 });
    for (const ttlSeconds of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 601, 3601]) {
      await assert.rejects(mint({ ...REQUEST, ttlSeconds }), codeOf('token_ttl_invalid'), String(ttlSeconds));
    }
    await assert.rejects(minter()({ ...REQUEST, ttlSeconds: 3601 }), codeOf('token_ttl_invalid'));
  });

  it('refuses a configured maximum over 1 hour, and a default over the maximum', () => {
    assert.throws(() => minter({ maxTtlSeconds: 3601 }), codeOf('token_ttl_invalid'));
    assert.throws(() => minter({ maxTtlSeconds: 0 }), codeOf('token_ttl_invalid'));
    assert.throws(() => minter({ maxTtlSeconds: 600, defaultTtlSeconds: 601 }), codeOf('token_ttl_invalid'));
    assert.throws(() => minter({ defaultTtlSeconds: 0 }), codeOf('token_ttl_invalid'));
  });

  it('lowers the default to a maximum below 5 minutes', async () => {
    const minted = await minter({ maxTtlSeconds: 60 })(REQUEST);
    assert.equal(minted.exp, Math.floor(T0 / 1000) + 60);
  });

  it('refuses an empty issuer', () => {
    assert.throws(() => minter({ issuer: '' }), codeOf('config_invalid'));
  });

  it('makes tokens that expire for verifiers at exp (plus their leeway)', async () => {
    const manager = managers.get('ES256')!;
    const minted = await minter()({ ...REQUEST, ttlSeconds: 60 });
    const at = (seconds: number) => createVerifier({ issuers: { issuer: ISSUER, keys: manager.keySet }, audience: 'orders', leewaySeconds: 0, cache: false, clock: () => seconds * 1000 });
    assert.ok(at(minted.exp - 1).verifySync(minted.token).ok);
    const expired = at(minted.exp).verifySync(minted.token);
    assert.equal(expired.ok ? 'ok' : expired.reason, 'token_expired');
  });
});
