/**
 * Closing a route token verifier, as a reload does to the one it replaced: a verification already
 * waiting on a JWKS fetch gets its answer from that fetch (closing would otherwise abort it), and
 * an unusable trust JWKS file is refused with the trust entry and the file in the error.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { GatehouseError, LocalKeySet } from '@gatehouse/verify';
import type { RouteConfig, TrustedIssuerConfig } from '../../src/config/index.ts';
import { createRouteTokenVerifier } from '../../src/gateway/authn/index.ts';

const IDP = 'https://idp.example.test';
const ROUTE = { id: 'orders', audience: 'orders' } as RouteConfig;

let privateKey: CryptoKey;
let publicJwk: JWK;
let dir: string;

before(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' };
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-verifier-close-'));
});

after(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function idpToken(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: IDP, sub: 'dana', aud: 'orders' }).setProtectedHeader({ alg: 'ES256', kid: 'idp-1', typ: 'at+jwt' }).setIssuedAt(now).setExpirationTime(now + 300).sign(privateKey);
}

function verifierFor(trust: readonly TrustedIssuerConfig[], fetch?: typeof globalThis.fetch) {
  return createRouteTokenVerifier({
    issuer: 'https://auth.example.test',
    ownKeys: new LocalKeySet(),
    trust,
    isRevoked: () => undefined,
    ...(fetch === undefined ? {} : { remoteJwks: { fetch } }),
  });
}

const trusted = (jwks: TrustedIssuerConfig['jwks'], issuer = IDP): TrustedIssuerConfig => ({ issuer, jwks, audiences: ['orders'], rolesClaim: ['roles'], algorithms: ['ES256'], typ: 'at+jwt' });

describe('RouteTokenVerifier close()', () => {
  it('lets a verification waiting on a JWKS fetch finish before it stops the JWKS clients', async () => {
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    // Answers when the test says so, or fails as fetch does when its request is aborted.
    const slowJwks = (async (_url: string, init: RequestInit) => {
      await new Promise<void>((resolve, reject) => {
        void answered.then(resolve);
        init.signal?.addEventListener('abort', () => reject(init.signal!.reason));
      });
      return new Response(JSON.stringify({ keys: [publicJwk] }), { status: 200, headers: { 'content-type': 'application/jwk-set+json' } });
    }) as unknown as typeof fetch;
    const verifier = await verifierFor([trusted({ kind: 'remote', url: `${IDP}/jwks` })], slowJwks);

    const outcome = verifier.verifyForRoute(await idpToken(), ROUTE, 'bearer');
    assert.ok(outcome instanceof Promise, 'no keys yet: the verification waits for the fetch');
    let closed = false;
    const closing = verifier.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(closed, false, 'close waits for the verification under way');

    answer();
    const settled = await outcome;
    assert.equal(settled.kind, 'authenticated', settled.kind === 'refused' ? `${settled.reason}: ${settled.detail}` : undefined);
    await closing;
    assert.equal(closed, true);
  });

  it('refuses a trust JWKS file it cannot use, naming the trust entry and the file', async () => {
    const good = join(dir, 'good.jwks.json');
    const missing = join(dir, 'missing.jwks.json');
    const broken = join(dir, 'broken.jwks.json');
    await writeFile(good, JSON.stringify({ keys: [publicJwk] }));
    await writeFile(broken, '{"keys": [');

    const other = 'https://other.example.test';
    await assert.rejects(verifierFor([trusted({ kind: 'file', path: good }), trusted({ kind: 'file', path: missing }, other)]), (error: unknown) => {
      assert.ok(error instanceof GatehouseError);
      assert.equal(error.code, 'invalid_option');
      assert.equal(error.message, `trust[1] (${other}): ${missing}: cannot read JWK Set file (ENOENT)`);
      return true;
    });
    await assert.rejects(verifierFor([trusted({ kind: 'file', path: broken })]), (error: unknown) => {
      assert.ok(error instanceof GatehouseError);
      assert.equal(error.code, 'keyset_rejected');
      assert.ok(error.message.startsWith(`trust[0] (${IDP}): ${broken}: JWK Set refused: not a JSON object`), error.message);
      return true;
    });
  });
});
