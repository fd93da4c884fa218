import { generateKeyPairSync, sign, verify, constants } from 'node:crypto';
import { createVerifier, importTrustedKey, jwkThumbprint, LocalKeySet, parseCompactJws } from '@gatehouse/verify';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = publicKey.export({ format: 'jwk' }) as any; const kid = jwkThumbprint(jwk);
const key = importTrustedKey({ ...jwk, kid, alg: 'RS256' });
const now = Math.floor(Date.now()/1000);
const header = Buffer.from(JSON.stringify({ alg:'RS256', kid, typ: 'at+jwt' })).toString('base64url');
const payload = Buffer.from(JSON.stringify({ iss: 'https://auth.bench.example', sub: 'alice', aud: 'orders', exp: now + 3600, iat: now, jti: 'kq3Xo9mLz1pQe7Rt2WvYbA', client_id: 'web', scope: 'openid profile orders:read', roles: ['admin', 'billing'] })).toString('base64url');
const si = Buffer.from(header+'.'+payload);
const sigb = sign('sha256', si, privateKey);
const token = `${header}.${payload}.${sigb.toString('base64url')}`;
const v = createVerifier({ issuers: { issuer: 'https://auth.bench.example', keys: new LocalKeySet([key]) }, audience: 'orders', cache: false });
const opts = { key: publicKey, padding: constants.RSA_PKCS1_PADDING };
function t(name: string, fn: () => unknown, n = 30000) { for (let i=0;i<n/5;i++) fn(); const s = process.hrtime.bigint(); for (let i=0;i<n;i++) fn(); return Number(process.hrtime.bigint()-s)/n; }
for (let r = 0; r < 3; r++) {
  const raw = t('raw', () => verify('sha256', si, opts, sigb));
  const rawKO = t('rawKO', () => verify('sha256', si, publicKey, sigb));
  const kv = t('key.verify', () => key.verify(si, sigb));
  const full = t('full', () => v.verifySync(token));
  const parse = t('parse', () => parseCompactJws(token));
  console.log({ raw, rawKO, kv, full, parse, overhead: full - raw });
}
