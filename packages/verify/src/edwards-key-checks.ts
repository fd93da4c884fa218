/**
 * Public-key checks for EdDSA keys that OpenSSL does not make: a point of small order (or the
 * identity) lets anyone forge signatures that verify under it, and a non-canonical encoding gives
 * one key two byte strings (two thumbprints). Points are identified by their y-coordinate: on
 * Edwards curves P and -P share y, so a small-order y names every small-order point with it.
 */
const P25519 = 2n ** 255n - 19n;
/**
 * y of the order-8 points of edwards25519 (the others have y = p - Y8). The set below was checked
 * by computing [k]P for each (see test/edwards-key-checks.test.ts): orders 1, 2, 4, 8, 8.
 */
const Y8_25519 = 2707385501144840649318225287225658788936804267575313519463743609750303402022n;
const SMALL_ORDER_Y_25519 = new Set([1n, P25519 - 1n, 0n, Y8_25519, P25519 - Y8_25519]);

const P448 = 2n ** 448n - 2n ** 224n - 1n;
/** edwards448 has cofactor 4: the identity (y = 1), order 2 (y = p - 1) and order 4 (y = 0). */
const SMALL_ORDER_Y_448 = new Set([1n, P448 - 1n, 0n]);

function littleEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  return value;
}

/** Why the encoded public key `x` must not be trusted, or undefined when it is fine. */
export function edwardsKeyWeakness(crv: 'Ed25519' | 'Ed448', x: Uint8Array): string | undefined {
  if (crv === 'Ed25519') {
    if (x.length !== 32) return 'an Ed25519 key is 32 bytes';
    const copy = Uint8Array.from(x);
    copy[31] = copy[31]! & 0x7f; // the top bit is the sign of x
    const y = littleEndian(copy);
    if (y >= P25519) return 'non-canonical point encoding (y ≥ p)';
    if (SMALL_ORDER_Y_25519.has(y)) return 'a point of small order (anyone could forge signatures)';
    return undefined;
  }
  if (x.length !== 57) return 'an Ed448 key is 57 bytes';
  if ((x[56]! & 0x7f) !== 0) return 'non-canonical point encoding (last byte)';
  const y = littleEndian(x.subarray(0, 56));
  if (y >= P448) return 'non-canonical point encoding (y ≥ p)';
  if (SMALL_ORDER_Y_448.has(y)) return 'a point of small order (anyone could forge signatures)';
  return undefined;
}
