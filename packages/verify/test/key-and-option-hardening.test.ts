import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  createVerifier,
  decodeBase64url,
  GatehouseError,
  importTrustedKey,
  importTrustedKeySet,
  jwkThumbprint,
  LocalKeySet,
  parseCompactJws,
  VerifiedTokenCache,
} from '../src/index.ts';

const code = (expected: string) => (error: unknown) => error instanceof GatehouseError && error.code === expected;
const ISSUER = 'https://issuer.example';
const NOW = 1_800_000_000;

function es256() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const kid = jwkThumbprint(jwk);
  const mint = (claims: Record<string, unknown>) => {
    const h = Buffer.from(JSON.stringify({ alg: 'ES256', kid, typ: 'at+jwt' })).toString('base64url');
    const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${h}.${p}.${sign('sha256', Buffer.from(`${h}.${p}`), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  };
  return { key: importTrustedKey({ ...jwk, kid, alg: 'ES256' }), mint };
}
const claims = { iss: ISSUER, sub: 'alice', aud: 'orders', exp: NOW + 300, iat: NOW, jti: 'j', client_id: 'c' };

describe('RSA key bounds', () => {
  const rsa = (bits: number, publicExponent = 65537) => generateKeyPairSync('rsa', { modulusLength: bits, publicExponent }).publicKey.export({ format: 'jwk' });
  it('a modulus over 8192 bits is refused', { timeout: 120_000 }, () => {
    // Made from an existing big modulus rather than generated (generation would take minutes).
    const big = rsa(2048) as { n: string; e: string };
    const n = Buffer.concat([Buffer.from(big.n, 'base64url'), Buffer.from(big.n, 'base64url'), Buffer.from(big.n, 'base64url'), Buffer.from(big.n, 'base64url'), Buffer.from(big.n, 'base64url')]);
    assert.throws(() => importTrustedKey({ kty: 'RSA', n: n.toString('base64url'), e: big.e, alg: 'RS256' }), code('key_rejected'));
  });
  it('an exponent of 2^32 or more is refused; 65537 and 3 import', () => {
    const base = rsa(2048) as { n: string };
    const e = (bytes: number[]) => Buffer.from(bytes).toString('base64url');
    assert.throws(() => importTrustedKey({ kty: 'RSA', n: base.n, e: e([1, 0, 0, 0, 1]), alg: 'RS256' }), code('key_rejected'));
    assert.equal(importTrustedKey({ kty: 'RSA', n: base.n, e: e([1, 0, 1]), alg: 'RS256' }).alg, 'RS256');
    assert.equal(importTrustedKey({ kty: 'RSA', n: base.n, e: e([3]), alg: 'RS256' }).alg, 'RS256');
  });
  it('an exponent with a leading zero byte is refused (not its shortest form)', () => {
    const base = rsa(2048) as { n: string };
    assert.throws(() => importTrustedKey({ kty: 'RSA', n: base.n, e: 'AAEAAQ', alg: 'RS256' }), code('key_rejected'));
  });
});

describe('options that would switch a check off are refused', () => {
  it('minRsaBits below 2048, NaN or fractional', () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    for (const minRsaBits of [1024, Number.NaN, 2048.5, Number.POSITIVE_INFINITY]) {
      assert.throws(() => importTrustedKey(jwk, { minRsaBits }), code('invalid_option'));
    }
  });
  it('rsaAlgorithm that is not an RSA algorithm', () => {
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    assert.throws(() => importTrustedKey(jwk, { rsaAlgorithm: 'ES256' }), code('invalid_option'));
    assert.throws(() => importTrustedKey(jwk, { rsaAlgorithm: 'none' as 'RS256' }), code('invalid_option'));
  });
  it('maxTokenLength, cache size and clock of the verifier', () => {
    const keys = new LocalKeySet([]);
    const base = { issuers: { issuer: ISSUER, keys }, audience: 'orders' };
    for (const maxTokenLength of [Number.NaN, Number.POSITIVE_INFINITY, 0, 1e9]) assert.throws(() => createVerifier({ ...base, maxTokenLength }), code('invalid_option'));
    for (const maxEntries of [Number.NaN, Number.POSITIVE_INFINITY, -1]) assert.throws(() => createVerifier({ ...base, cache: { maxEntries } }), code('invalid_option'));
    assert.throws(() => createVerifier({ ...base, clock: 5 as unknown as () => number }), code('invalid_option'));
    assert.throws(() => new VerifiedTokenCache(Number.NaN), RangeError);
  });
});

describe('fail closed', () => {
  it('a clock that returns something other than a number refuses the token', () => {
    const { key, mint } = es256();
    const token = mint({ ...claims, exp: 1000, iat: 900 });
    for (const clock of [() => undefined as unknown as number, () => Number.NaN, () => 'x' as unknown as number]) {
      const verifier = createVerifier({ issuers: { issuer: ISSUER, keys: new LocalKeySet([key]) }, audience: 'orders', clock, cache: false });
      const result = verifier.verifySync(token);
      assert.equal(result.ok, false);
    }
  });
  it('claims and header members planted on Object.prototype do not stand in for missing ones', () => {
    const { key, mint } = es256();
    const { exp: _exp, aud: _aud, ...without } = claims;
    const token = mint(without);
    const verifier = createVerifier({ issuers: { issuer: ISSUER, keys: new LocalKeySet([key]) }, audience: 'o', clock: () => NOW * 1000 });
    const proto = Object.prototype as Record<string, unknown>;
    Object.defineProperty(proto, 'exp', { value: 9e9, configurable: true, enumerable: false, writable: true });
    Object.defineProperty(proto, 'aud', { value: 'o', configurable: true, enumerable: false, writable: true });
    try {
      const result = verifier.verifySync(token);
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.reason, 'missing_claim');
    } finally {
      delete proto.exp;
      delete proto.aud;
    }
  });
});

describe('JWK Sets', () => {
  it('entries that are not objects are skipped with a reason, not thrown as TypeError', () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const imported = importTrustedKeySet({ keys: [5, null, 'x', [], jwk] });
    assert.equal(imported.keys.length, 1);
    assert.equal(imported.skipped.length, 4);
  });
  it('base64url with a non-ASCII character never decodes (no low-byte aliasing)', () => {
    assert.deepEqual(decodeBase64url('QUJD'), Buffer.from('ABC'));
    assert.equal(decodeBase64url('QUJ\u0144'), undefined);
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as { x: string };
    const aliased = { ...jwk, x: `${jwk.x.slice(0, -1)}${String.fromCharCode(0x100 | jwk.x.charCodeAt(jwk.x.length - 1))}` };
    assert.throws(() => importTrustedKey(aliased), code('key_rejected'));
  });
});

describe('the header cache holds only short headers', () => {
  it('a large (valid JSON) header is parsed but not cached', () => {
    const { key } = es256();
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: key.kid, typ: 'at+jwt', x: 'y'.repeat(1000) })).toString('base64url');
    const token = `${header}.e30.${'A'.repeat(86)}`;
    const cache = new Map<string, unknown>();
    const recording = { get: (s: string) => cache.get(s) as undefined, set: (s: string, h: unknown) => void cache.set(s, h) };
    const parsed = parseCompactJws(token, {}, recording as never);
    assert.equal(parsed.ok, true);
    assert.equal(cache.size, 0);
    const short = `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: key.kid })).toString('base64url')}.e30.${'A'.repeat(86)}`;
    parseCompactJws(short, {}, recording as never);
    assert.equal(cache.size, 1);
  });
});

