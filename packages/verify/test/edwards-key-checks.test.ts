import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { edwardsKeyWeakness } from '../src/edwards-key-checks.ts';
import { GatehouseError, importTrustedKey } from '../src/index.ts';

// Edwards arithmetic on edwards25519, test-only: it proves the constants in the source are the
// y-coordinates of points of order 1, 2, 4 and 8, rather than taking them on trust.
const p = 2n ** 255n - 19n;
const mod = (a: bigint) => ((a % p) + p) % p;
const pow = (b: bigint, e: bigint): bigint => { let r = 1n; b = mod(b); while (e > 0n) { if (e & 1n) r = mod(r * b); b = mod(b * b); e >>= 1n; } return r; };
const inv = (a: bigint) => pow(a, p - 2n);
const d = mod(-121665n * inv(121666n));
type Point = [bigint, bigint];
function recoverX(y: bigint): bigint {
  const x2 = mod((y * y - 1n) * inv(d * y * y + 1n));
  let x = pow(x2, (p + 3n) / 8n);
  if (mod(x * x - x2) !== 0n) x = mod(x * pow(2n, (p - 1n) / 4n));
  assert.equal(mod(x * x - x2), 0n, 'y is on the curve');
  return x;
}
function add([x1, y1]: Point, [x2, y2]: Point): Point {
  const t = mod(d * x1 * x2 * y1 * y2);
  return [mod((x1 * y2 + x2 * y1) * inv(1n + t)), mod((y1 * y2 + x1 * x2) * inv(1n - t))];
}
function order(y: bigint): number | undefined {
  const start: Point = [recoverX(y), y];
  let q = start;
  for (let k = 1; k <= 8; k++) {
    if (q[0] === 0n && q[1] === 1n) return k;
    q = add(q, start);
  }
  return undefined;
}
const encode = (y: bigint, sign = 0) => {
  const bytes = Buffer.alloc(32);
  let v = y;
  for (let i = 0; i < 32; i++) { bytes[i] = Number(v & 0xffn); v >>= 8n; }
  bytes[31] = bytes[31]! | (sign << 7);
  return bytes;
};
const Y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022n;

describe('Ed25519 public keys of small order are refused', () => {
  it('the refused y-coordinates are exactly the points of order 1, 2, 4 and 8', () => {
    assert.deepEqual([1n, p - 1n, 0n, Y8, p - Y8].map(order), [1, 2, 4, 8, 8]);
  });
  for (const [name, y] of [['identity', 1n], ['order 2', p - 1n], ['order 4', 0n], ['order 8', Y8], ['order 8 (p - y)', p - Y8]] as const) {
    for (const sign of [0, 1]) {
      it(`${name}, sign ${sign}: key_rejected`, () => {
        const x = encode(y, sign);
        assert.match(edwardsKeyWeakness('Ed25519', x) ?? '', /small order/);
        assert.throws(() => importTrustedKey({ kty: 'OKP', crv: 'Ed25519', x: x.toString('base64url') }), (e: unknown) => e instanceof GatehouseError && e.code === 'key_rejected');
      });
    }
  }
  it('non-canonical encodings (y ≥ p) are refused', () => {
    for (const y of [p, p + 1n, 2n ** 255n - 1n]) assert.match(edwardsKeyWeakness('Ed25519', encode(y)) ?? '', /non-canonical/);
  });
  it('the identity key would accept a forged signature: the check is what stops it', () => {
    // Wycheproof-style forgery: R = identity, S = 0 verifies under the identity key in OpenSSL.
    assert.throws(() => importTrustedKey({ kty: 'OKP', crv: 'Ed25519', x: encode(1n).toString('base64url'), kid: 'w' }));
  });
  it('ordinary Ed25519 and Ed448 keys import', () => {
    for (const type of ['ed25519', 'ed448'] as const) {
      const jwk = generateKeyPairSync(type as 'ed25519').publicKey.export({ format: 'jwk' });
      assert.equal(importTrustedKey(jwk).alg, 'EdDSA');
    }
  });
  it('Ed448: identity, order 2 and 4, and a set non-sign bit in the last byte are refused', () => {
    const p448 = 2n ** 448n - 2n ** 224n - 1n;
    const enc448 = (y: bigint) => { const b = Buffer.alloc(57); let v = y; for (let i = 0; i < 56; i++) { b[i] = Number(v & 0xffn); v >>= 8n; } return b; };
    for (const y of [1n, p448 - 1n, 0n]) assert.match(edwardsKeyWeakness('Ed448', enc448(y)) ?? '', /small order/);
    const odd = enc448(5n); odd[56] = 0x01;
    assert.match(edwardsKeyWeakness('Ed448', odd) ?? '', /non-canonical/);
  });
});
