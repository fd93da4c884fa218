/**
 * Issue 2 figures: per algorithm, µs per uncached verify through our verifier against raw
 * node:crypto.verify on the same token in the same run (target ratio ≤ 1.15), and µs per cache
 * hit (target ≤ 2 µs). A cache hit is measured on fresh string copies of the token, as a gateway
 * sees it (a new string per request), not on one string whose hash V8 has already cached.
 */
import { constants, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { createVerifier, importTrustedKey, jwkThumbprint, LocalKeySet } from '@gatehouse/verify';
import { interleaved, table } from './measure.ts';

type BenchAlg = 'ES256' | 'RS256' | 'PS256' | 'EdDSA';

const ISSUER = 'https://auth.bench.example';

function keyPair(alg: BenchAlg): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (alg) {
    case 'ES256': return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'RS256':
    case 'PS256': return generateKeyPairSync('rsa', { modulusLength: 2048 });
    case 'EdDSA': return generateKeyPairSync('ed25519');
  }
}

function signatureOptions(alg: BenchAlg, key: KeyObject) {
  switch (alg) {
    case 'ES256': return { hash: 'sha256', key: { key, dsaEncoding: 'ieee-p1363' as const } };
    case 'RS256': return { hash: 'sha256', key: { key, padding: constants.RSA_PKCS1_PADDING } };
    case 'PS256': return { hash: 'sha256', key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } };
    case 'EdDSA': return { hash: null, key: { key } };
  }
}

export function benchVerify(): string {
  const rows: Record<string, string | number>[] = [];
  for (const alg of ['ES256', 'RS256', 'PS256', 'EdDSA'] as const) {
    const { privateKey, publicKey } = keyPair(alg);
    const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
    const kid = jwkThumbprint(jwk);
    const trusted = importTrustedKey({ ...jwk, kid, alg });
    const now = Math.floor(Date.now() / 1000);
    const header = Buffer.from(JSON.stringify({ alg, kid, typ: 'at+jwt' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({
      iss: ISSUER, sub: 'alice', aud: 'orders', exp: now + 3600, iat: now, jti: 'kq3Xo9mLz1pQe7Rt2WvYbA',
      client_id: 'web', scope: 'openid profile orders:read', roles: ['admin', 'billing'],
    })).toString('base64url');
    const signingInput = Buffer.from(`${header}.${payload}`);
    const signer = signatureOptions(alg, privateKey);
    const signature = sign(signer.hash, signingInput, signer.key);
    const token = `${header}.${payload}.${signature.toString('base64url')}`;
    const verifierOptions = { issuers: { issuer: ISSUER, keys: new LocalKeySet([trusted]) }, audience: 'orders' };
    const uncached = createVerifier({ ...verifierOptions, cache: false });
    const cached = createVerifier(verifierOptions);
    const check = signatureOptions(alg, publicKey);
    if (!uncached.verifySync(token).ok || !verify(check.hash, signingInput, check.key, signature)) throw new Error(`${alg}: bench token does not verify`);

    const iterations = alg.startsWith('RS') || alg.startsWith('PS') ? 4000 : 1500;
    const uncachedFigures = interleaved({
      raw: (n) => { for (let i = 0; i < n; i++) verify(check.hash, signingInput, check.key, signature); },
      ours: (n) => { for (let i = 0; i < n; i++) uncached.verifySync(token); },
    }, iterations, 15);

    cached.verifySync(token);
    const copies = 50_000;
    let pool: string[] = [];
    const hit = interleaved({
      hit: (n) => {
        if (pool.length < n) pool = Array.from({ length: n }, () => (token + ' ').slice(0, -1)); // fresh, flat strings
        for (let i = 0; i < n; i++) cached.verifySync(pool[i]!);
        pool = [];
      },
    }, copies, 7);

    rows.push({
      alg,
      'raw node:crypto µs': uncachedFigures.raw! / 1000,
      'gatehouse µs': uncachedFigures.ours! / 1000,
      'overhead µs': (uncachedFigures.ours! - uncachedFigures.raw!) / 1000,
      ratio: uncachedFigures.ours! / uncachedFigures.raw!,
      'target ratio': '≤ 1.15',
      'cache hit µs': hit.hit! / 1000,
      'target hit': '≤ 2',
    });
  }
  return table(rows);
}
