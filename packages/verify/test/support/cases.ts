/**
 * The attack-token table, one group per attack class. attacks.test.ts runs every case and
 * reason-registry.test.ts runs the same cases to prove that every ReasonCode has a producer, so
 * the two cannot drift apart. Every case is built from a correctly signed token with exactly one
 * fault; where the fault could hide a construction mistake, a `control` shows the same token
 * accepted once the one checked thing is allowed.
 */
import { createHmac, randomBytes, sign as cryptoSign, verify as cryptoVerify, constants, type KeyObject } from 'node:crypto';
import { ASSERTION_TYP, createAssertionVerifier, importTrustedKey, LocalKeySet, type KeySource, type ReasonCode, type RevocationList, type TokenVerifier, type VerifyResult } from '@gatehouse/verify';
import {
  accessClaims,
  accessHeader,
  accessToken,
  AUDIENCE,
  b64url,
  compact,
  generateSigner,
  generateTestKey,
  hmacTestKey,
  ISSUER,
  fixedClock,
  keySet,
  makeVerifier,
  NOW,
  parts,
  RawJson,
  segment,
  signBytes,
  signSegments,
  type Part,
  type Signer,
  type TestKey,
} from './tokens.ts';

export type Expected = ReasonCode | 'ok';

export interface TokenCase {
  readonly name: string;
  readonly expect: Expected;
  run(): VerifyResult | Promise<VerifyResult>;
  /** The same token under a configuration that allows the one checked thing: must be accepted. */
  readonly control?: () => VerifyResult;
}


/** Replaces the character at `index` with a UTF-16 code unit that has the same low byte. */
export function utf16Alias(token: string, index: number, highByte = 0x01): string {
  return token.slice(0, index) + String.fromCharCode((highByte << 8) | token.charCodeAt(index)) + token.slice(index + 1);
}

export interface CaseGroup {
  readonly title: string;
  readonly cases: readonly TokenCase[];
}

// ---------------------------------------------------------------------------------------------
// Keys, generated once per process.

export interface Fixtures {
  readonly es256: TestKey;
  readonly rs256: TestKey;
  readonly ps256: TestKey;
  readonly eddsa: TestKey;
  readonly hs256: TestKey;
  /** The four asymmetric keys one verifier trusts. */
  readonly asymmetric: readonly TestKey[];
  /** Another key of the same algorithm, signing under the trusted key's kid. */
  readonly foreign: Readonly<Record<'ES256' | 'RS256' | 'PS256' | 'EdDSA' | 'HS256', Signer>>;
  readonly es384: Signer & { publicKey: KeyObject };
  readonly es512: Signer & { publicKey: KeyObject };
  readonly es256k: Signer & { publicKey: KeyObject };
  readonly attackerEs256: Signer & { publicKey: KeyObject };
  readonly attackerEdDSA: Signer & { publicKey: KeyObject };
  /** A key of a second trusted issuer. */
  readonly otherIssuerKey: TestKey;
}

let fixtures: Fixtures | undefined;

export function getFixtures(): Fixtures {
  if (fixtures !== undefined) return fixtures;
  const es256 = generateTestKey('ES256');
  const rs256 = generateTestKey('RS256');
  const ps256 = generateTestKey('PS256');
  const eddsa = generateTestKey('EdDSA');
  const hs256 = generateTestKey('HS256');
  const attackerRsa = generateSigner('RS256');
  const attackerEs256 = generateSigner('ES256');
  const attackerEdDSA = generateSigner('EdDSA');
  fixtures = {
    es256, rs256, ps256, eddsa, hs256,
    asymmetric: [es256, rs256, ps256, eddsa],
    foreign: {
      ES256: attackerEs256,
      RS256: attackerRsa,
      PS256: { alg: 'PS256', privateKey: attackerRsa.privateKey },
      EdDSA: attackerEdDSA,
      HS256: { alg: 'HS256', privateKey: randomBytes(32) },
    },
    es384: generateSigner('ES384'),
    es512: generateSigner('ES512'),
    es256k: generateSigner('ES256K'),
    attackerEs256,
    attackerEdDSA,
    otherIssuerKey: generateTestKey('ES256'),
  };
  return fixtures;
}

export const OTHER_ISSUER = 'https://idp.example.net';

/** The verifier most cases run against: the four asymmetric keys, default options, clock at NOW. */
export function asymmetricVerifier(options: Parameters<typeof makeVerifier>[1] = {}): TokenVerifier {
  return makeVerifier(getFixtures().asymmetric, options);
}

export function hmacVerifier(): TokenVerifier {
  return makeVerifier([getFixtures().hs256]);
}

// ---------------------------------------------------------------------------------------------
// Builders.

function expectOn(name: string, expect: Expected, token: unknown, verifier: () => TokenVerifier = () => asymmetricVerifier(), control?: () => VerifyResult): TokenCase {
  return { name, expect, run: () => verifier().verifySync(token), ...(control === undefined ? {} : { control }) };
}

/** A token signed by `signer` over header and payload as given. */
function signed(header: Part | RawJson, payload: Part | RawJson, signer: Signer): string {
  return compact({ header, payload, signer });
}

/** Pads an object with a filler member until its base64url segment has spare bits (length % 4 ≠ 0). */
function withSpareBits(build: (filler: string) => Record<string, unknown>): Record<string, unknown> {
  for (let n = 0; n < 3; n++) {
    const value = build('f'.repeat(n));
    if (segment(value).length % 4 !== 0) return value;
  }
  throw new Error('unreachable: one of three lengths leaves spare bits');
}

/** Sets a spare (trailing) bit of the last character: same bytes to a lenient decoder, not canonical. */
export function withTrailingBitSet(seg: string): string {
  const rem = seg.length % 4;
  if (rem === 0 || rem === 1) throw new TypeError('segment has no spare bits');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(seg[seg.length - 1]!);
  return seg.slice(0, -1) + alphabet[last | 1];
}

/** Adds '=' padding as standard base64 would. */
export function padded(seg: string): string {
  const rem = seg.length % 4;
  if (rem === 0) throw new TypeError('segment needs no padding');
  return seg + '='.repeat(4 - rem);
}

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

function rawClaims(extra: string): RawJson {
  const base = JSON.stringify(accessClaims());
  return new RawJson(`${base.slice(0, -1)},${extra}}`);
}

/** A valid ES256 access token of exactly `length` characters (a filler claim sets the size). */
export function tokenOfLength(key: TestKey, length: number): string {
  if (key.alg !== 'ES256') throw new TypeError('sized tokens are built with ES256 (86-character signatures)');
  const claims = accessClaims();
  for (let extra = 0; extra < 4; extra++) {
    const header = accessHeader(key, extra === 0 ? {} : { x: 'x'.repeat(extra) });
    const headerLength = segment(header).length;
    const bytes0 = Buffer.byteLength(JSON.stringify({ ...claims, pad: '' }));
    for (let pad = 0; ; pad++) {
      const total = headerLength + 1 + Math.ceil(((bytes0 + pad) * 4) / 3) + 1 + 86;
      if (total > length) break;
      if (total === length) {
        const token = signed(header, { ...claims, pad: 'p'.repeat(pad) }, key);
        if (token.length !== length) throw new Error(`built ${token.length}, wanted ${length}`);
        return token;
      }
    }
  }
  throw new Error(`no token of length ${length}`);
}

/** A KeySource that never loaded: no keys, not available. */
export function unavailableKeySource(options: { onReady?: () => void; onRefresh?: () => void } = {}): KeySource {
  return {
    available: false,
    getKey: () => undefined,
    ready: async () => options.onReady?.(),
    refresh: async () => {
      options.onRefresh?.();
      return false;
    },
  };
}

// P-256 group order n.
export const P256_N = Buffer.from('FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551', 'hex');
// Ed25519 group order L, little-endian (as S is encoded).
const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n;

function bigFromBytes(bytes: Uint8Array, littleEndian = false): bigint {
  const hex = Buffer.from(littleEndian ? Buffer.from(bytes).reverse() : bytes).toString('hex');
  return hex.length === 0 ? 0n : BigInt(`0x${hex}`);
}

function bytesFromBig(value: bigint, size: number, littleEndian = false): Buffer {
  const out = Buffer.from(value.toString(16).padStart(size * 2, '0'), 'hex');
  if (out.length !== size) throw new RangeError('value does not fit');
  return littleEndian ? out.reverse() : out;
}

/** Encodes an IEEE P1363 ECDSA signature (r‖s) as ASN.1 DER. */
export function p1363ToDer(signature: Uint8Array): Buffer {
  const half = signature.length / 2;
  const integer = (bytes: Uint8Array): Buffer => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    let body = Buffer.from(bytes.subarray(i));
    if (body[0]! & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const seq = Buffer.concat([integer(signature.subarray(0, half)), integer(signature.subarray(half))]);
  return Buffer.concat([Buffer.from([0x30, seq.length]), seq]);
}

// ---------------------------------------------------------------------------------------------
// The groups.

/**
 * For each reason code, the name of one case of the table that produces it. Typed over ReasonCode,
 * so a code added to the registry without a producing case does not typecheck.
 */
export const REASON_PRODUCERS: { readonly [code in ReasonCode]: string } = {
  token_missing: 'empty string',
  token_too_large: '8,193 characters',
  malformed_token: 'two parts',
  malformed_header: 'header with duplicate "alg"',
  malformed_payload: 'payload with duplicate "sub", the second \\u-escaped',
  alg_not_allowed: 'alg none, empty signature',
  unknown_kid: 'kid path traversal "../../etc/passwd"',
  embedded_key_not_allowed: 'jwk: the attacker key that signed the token, its own kid',
  unsupported_crit: 'crit ["b64"] with b64: false',
  wrong_typ: 'typ "JWT" (an ID token\'s)',
  bad_signature: 'ES256: foreign (another key, same kid)',
  wrong_issuer: 'iss another issuer',
  wrong_audience: 'aud another audience',
  token_expired: 'exp 31 s ago (beyond the 30 s leeway)',
  token_not_yet_valid: 'nbf 31 s ahead',
  issued_in_future: 'iat 31 s ahead',
  missing_claim: 'jti missing',
  invalid_claim: 'exp "1e3"',
  token_revoked: 'revoked on the family list',
  keys_unavailable: 'keys never loaded (available: false), verifySync',
};

export function attackGroups(): CaseGroup[] {
  const f = getFixtures();
  return [
    algNoneGroup(f),
    keyConfusionGroup(f),
    signatureGroup(f),
    kidGroup(f),
    embeddedKeyGroup(f),
    critGroup(f),
    typGroup(f),
    claimsGroup(f),
    structureGroup(f),
    revocationGroup(f),
    keysGroup(f),
    assertionGroup(f),
  ];
}

function algNoneGroup(f: Fixtures): CaseGroup {
  const { es256 } = f;
  const cases: TokenCase[] = [];
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    const payload = accessClaims();
    cases.push(
      expectOn(`alg ${alg}, empty signature`, 'alg_not_allowed', compact({ header: { alg }, payload })),
      expectOn(`alg ${alg}, with a signature`, 'alg_not_allowed', compact({ header: { alg }, payload, signature: randomBytes(64) })),
      expectOn(`alg ${alg}, kid of a real key, empty signature`, 'alg_not_allowed', compact({ header: { alg, kid: es256.kid }, payload })),
      expectOn(
        `alg ${alg}, kid of a real key and typ at+jwt, signed by that key`,
        'alg_not_allowed',
        signed({ alg, kid: es256.kid, typ: 'at+jwt' }, payload, es256),
      ),
    );
  }
  cases.push(
    expectOn('alg none, payload not even JSON, empty signature (named before anything else)', 'alg_not_allowed', compact({ header: { alg: 'none' }, payload: 'not json' })),
  );
  const algValues: [string, unknown][] = [['missing', undefined], ['null', null], ['a number', 256], ['empty', ''], ['an array', ['ES256']], ['an object', { name: 'ES256' }], ['true', true]];
  for (const [label, alg] of algValues) {
    cases.push(expectOn(`alg ${label}`, 'alg_not_allowed', signed(accessHeader(es256, { alg }), accessClaims(), es256)));
  }
  cases.push(
    expectOn('alg ES256K (secp256k1, validly signed), kid of the ES256 key', 'alg_not_allowed', signed(accessHeader(es256, { alg: 'ES256K' }), accessClaims(), f.es256k)),
    expectOn('alg HS1, kid of the ES256 key', 'alg_not_allowed', (() => {
      const h = segment(accessHeader(es256, { alg: 'HS1' }));
      const p = segment(accessClaims());
      return `${h}.${p}.${b64url(createHmac('sha1', randomBytes(20)).update(`${h}.${p}`).digest())}`;
    })()),
    expectOn('alg es256 (wrong case), signed by the key', 'alg_not_allowed', signed(accessHeader(es256, { alg: 'es256' }), accessClaims(), es256)),
    expectOn('alg "ES256 " (trailing space), signed by the key', 'alg_not_allowed', signed(accessHeader(es256, { alg: 'ES256 ' }), accessClaims(), es256)),
    expectOn('alg RSA-OAEP (an encryption algorithm), signed by the key', 'alg_not_allowed', signed(accessHeader(es256, { alg: 'RSA-OAEP' }), accessClaims(), es256)),
  );
  return { title: 'alg none, missing and unsupported', cases };
}

function keyConfusionGroup(f: Fixtures): CaseGroup {
  const { es256, rs256, ps256, eddsa, hs256 } = f;
  const cases: TokenCase[] = [];
  const asJwkJson = (key: TestKey) => JSON.stringify(key.jwk);
  const ecRaw = Buffer.concat([Buffer.from(es256.jwk.x!, 'base64url'), Buffer.from(es256.jwk.y!, 'base64url')]);
  const secrets: [TestKey, string, Buffer][] = [
    [es256, 'SPKI PEM', Buffer.from(es256.publicKey.export({ type: 'spki', format: 'pem' }) as string)],
    [es256, 'SPKI DER', es256.publicKey.export({ type: 'spki', format: 'der' }) as Buffer],
    [es256, 'JWK JSON as published', Buffer.from(asJwkJson(es256))],
    [es256, 'JWK JSON, thumbprint members only', Buffer.from(JSON.stringify({ crv: 'P-256', kty: 'EC', x: es256.jwk.x, y: es256.jwk.y }))],
    [es256, 'raw x‖y', ecRaw],
    [es256, 'uncompressed point 04‖x‖y', Buffer.concat([Buffer.from([4]), ecRaw])],
    [rs256, 'SPKI PEM', Buffer.from(rs256.publicKey.export({ type: 'spki', format: 'pem' }) as string)],
    [rs256, 'PKCS#1 PEM', Buffer.from(rs256.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string)],
    [rs256, 'SPKI DER', rs256.publicKey.export({ type: 'spki', format: 'der' }) as Buffer],
    [rs256, 'JWK JSON as published', Buffer.from(asJwkJson(rs256))],
    [rs256, 'modulus bytes', Buffer.from(rs256.jwk.n!, 'base64url')],
    [eddsa, 'SPKI PEM', Buffer.from(eddsa.publicKey.export({ type: 'spki', format: 'pem' }) as string)],
    [eddsa, 'raw public key', Buffer.from(eddsa.jwk.x!, 'base64url')],
  ];
  for (const [key, label, secret] of secrets) {
    for (const hmac of ['HS256', 'HS512'] as const) {
      if (hmac === 'HS512' && label !== 'SPKI PEM') continue;
      const token = signed(accessHeader(key, { alg: hmac }), accessClaims(), { alg: hmac, privateKey: secret });
      // Control: trusting that very secret as an HMAC key under the same kid accepts the token,
      // so the refusal is the algorithm rule and nothing else.
      const control = () => makeVerifier([hmacTestKey(hmac, secret, key.kid)]).verifySync(token);
      cases.push(expectOn(`${hmac} keyed with the ${key.alg} public key as ${label}, real kid`, 'alg_not_allowed', token, undefined, control));
    }
  }
  const psWithRsKey = signed(accessHeader(rs256, { alg: 'PS256' }), accessClaims(), { alg: 'PS256', privateKey: rs256.privateKey });
  const rsWithPsKey = signed(accessHeader(ps256, { alg: 'RS256' }), accessClaims(), { alg: 'RS256', privateKey: ps256.privateKey });
  cases.push(
    expectOn('RS256 token (attacker RSA key) against the ES256 kid', 'alg_not_allowed', signed(accessHeader(es256, { alg: 'RS256' }), accessClaims(), f.foreign.RS256)),
    expectOn('PS256 token, genuinely signed by the RS256 key, against its kid', 'alg_not_allowed', psWithRsKey, undefined, () =>
      makeVerifier([importTrustedKey({ ...rs256.jwk, alg: 'PS256' }, { algorithms: ['PS256'] })]).verifySync(psWithRsKey)),
    expectOn('RS256 token, genuinely signed by the PS256 key, against its kid', 'alg_not_allowed', rsWithPsKey, undefined, () =>
      makeVerifier([importTrustedKey({ ...ps256.jwk, alg: 'RS256' }, { algorithms: ['RS256'] })]).verifySync(rsWithPsKey)),
    expectOn('ES384 token (P-384 key) against the ES256 kid', 'alg_not_allowed', signed(accessHeader(es256, { alg: 'ES384' }), accessClaims(), f.es384)),
    expectOn('ES512 token (P-521 key) against the ES256 kid', 'alg_not_allowed', signed(accessHeader(es256, { alg: 'ES512' }), accessClaims(), f.es512)),
    expectOn('EdDSA token against the ES256 kid', 'alg_not_allowed', signed(accessHeader(es256, { alg: 'EdDSA' }), accessClaims(), f.attackerEdDSA)),
    expectOn('ES256 token against the EdDSA kid', 'alg_not_allowed', signed(accessHeader(eddsa, { alg: 'ES256' }), accessClaims(), f.attackerEs256)),
    expectOn('ES256 header naming the RS256 kid, signed by the ES256 key', 'alg_not_allowed', signed(accessHeader(rs256, { alg: 'ES256' }), accessClaims(), es256)),
    expectOn('RS256 token against an HMAC kid', 'alg_not_allowed', signed(accessHeader(hs256, { alg: 'RS256' }), accessClaims(), f.foreign.RS256), hmacVerifier),
    expectOn('HS384 with the HS256 key\'s own secret', 'alg_not_allowed', signed(accessHeader(hs256, { alg: 'HS384' }), accessClaims(), { alg: 'HS384', privateKey: hs256.privateKey }), hmacVerifier),
    expectOn('HS512 with the HS256 key\'s own secret', 'alg_not_allowed', signed(accessHeader(hs256, { alg: 'HS512' }), accessClaims(), { alg: 'HS512', privateKey: hs256.privateKey }), hmacVerifier),
  );
  return { title: 'key and algorithm confusion', cases };
}

function signatureGroup(f: Fixtures): CaseGroup {
  const cases: TokenCase[] = [];
  const keys: [TestKey, () => TokenVerifier][] = [
    [f.es256, () => asymmetricVerifier()],
    [f.rs256, () => asymmetricVerifier()],
    [f.ps256, () => asymmetricVerifier()],
    [f.eddsa, () => asymmetricVerifier()],
    [f.hs256, hmacVerifier],
  ];
  for (const [key, verifier] of keys) {
    const token = accessToken(key);
    const [h, p, s] = parts(token);
    const sig = Buffer.from(s, 'base64url');
    const withSig = (bytes: Uint8Array) => `${h}.${p}.${b64url(bytes)}`;
    const flip = (index: number, bit: number) => {
      const copy = Buffer.from(sig);
      copy[index] = copy[index]! ^ bit;
      return copy;
    };
    const other = parts(accessToken(key, { claims: { sub: 'mallory' } }))[2];
    // Drop 1 or 2 characters so the length is ≡ 1 (mod 4), which no base64url string has.
    const unencodable = s.slice(0, s.length % 4 === 2 ? -1 : -2);
    const a = key.alg;
    cases.push(
      expectOn(`${a}: the valid token (control)`, 'ok', token, verifier),
      expectOn(`${a}: signature stripped (empty part)`, 'malformed_token', `${h}.${p}.`, verifier),
      expectOn(`${a}: truncated by one byte`, 'bad_signature', withSig(sig.subarray(0, -1)), verifier),
      expectOn(`${a}: truncated by half`, 'bad_signature', withSig(sig.subarray(0, sig.length >> 1)), verifier),
      expectOn(`${a}: truncated by ${s.length - unencodable.length} character(s) to a length no base64url has`, 'malformed_token', `${h}.${p}.${unencodable}`, verifier),
      expectOn(`${a}: extended by one zero byte`, 'bad_signature', withSig(Buffer.concat([sig, Buffer.alloc(1)])), verifier),
      expectOn(`${a}: doubled`, 'bad_signature', withSig(Buffer.concat([sig, sig])), verifier),
      expectOn(`${a}: all zero`, 'bad_signature', withSig(Buffer.alloc(sig.length)), verifier),
      expectOn(`${a}: first bit flipped`, 'bad_signature', withSig(flip(0, 0x80)), verifier),
      expectOn(`${a}: last bit flipped`, 'bad_signature', withSig(flip(sig.length - 1, 0x01)), verifier),
      expectOn(`${a}: foreign (another key, same kid)`, 'bad_signature', signed(accessHeader(key), accessClaims(), f.foreign[a as keyof Fixtures['foreign']]), verifier),
      expectOn(`${a}: signature of a different payload`, 'bad_signature', `${h}.${p}.${other}`, verifier),
      expectOn(`${a}: signature over the payload only`, 'bad_signature', withSig(signBytes(key, Buffer.from(p))), verifier),
    );
  }

  // ECDSA specifics on the ES256 key.
  const es = f.es256;
  const token = accessToken(es);
  const [h, p, s] = parts(token);
  const sig = Buffer.from(s, 'base64url');
  const r = sig.subarray(0, 32);
  const sv = sig.subarray(32);
  const int = (n: number) => bytesFromBig(BigInt(n), 32);
  const ecdsa: [string, Buffer][] = [
    ['r = s = 0', Buffer.alloc(64)],
    ['r = 0, s = 1', Buffer.concat([int(0), int(1)])],
    ['r = 1, s = 0', Buffer.concat([int(1), int(0)])],
    ['r = n, s = 1', Buffer.concat([P256_N, int(1)])],
    ['r = n, s = the valid s', Buffer.concat([P256_N, sv])],
    ['r = the valid r, s = n', Buffer.concat([r, P256_N])],
    ['r = the valid r, s = 0', Buffer.concat([r, int(0)])],
    ['r and s swapped', Buffer.concat([sv, r])],
    ['r + n (33 bytes) with s', Buffer.concat([bytesFromBig(bigFromBytes(r) + bigFromBytes(P256_N), 33), sv])],
  ];
  for (const [label, bytes] of ecdsa) cases.push(expectOn(`ES256: ${label}`, 'bad_signature', `${h}.${p}.${b64url(bytes)}`));
  const der = p1363ToDer(sig);
  cases.push(expectOn('ES256: the valid signature DER-encoded', 'bad_signature', `${h}.${p}.${b64url(der)}`, undefined, () => {
    // Control: the DER form is a valid signature (for an API that takes DER).
    const ok = cryptoVerify('sha256', Buffer.from(`${h}.${p}`), { key: es.publicKey, dsaEncoding: 'der' }, der);
    return ok ? asymmetricVerifier().verifySync(token) : { ok: false, reason: 'bad_signature', detail: 'DER control failed', signatureVerified: false };
  }));

  // RSA specifics.
  const rs = f.rs256;
  const [rh, rp, rsig] = parts(accessToken(rs));
  const modulus = Buffer.from(rs.jwk.n!, 'base64url');
  const rsaSig = Buffer.from(rsig, 'base64url');
  const rsa: [string, Buffer][] = [
    ['s = n (the modulus)', modulus],
    ['s = 2^2048 − 1 (above the modulus)', Buffer.alloc(256, 0xff)],
    ['s = 1', bytesFromBig(1n, 256)],
    ['the valid signature with a leading zero byte', Buffer.concat([Buffer.alloc(1), rsaSig])],
    ['PKCS#1 v1.5 over SHA-512 under an RS256 header', cryptoSign('sha512', Buffer.from(`${rh}.${rp}`), { key: rs.privateKey, padding: constants.RSA_PKCS1_PADDING })],
    ['a PSS signature under an RS256 header', signBytes({ alg: 'PS256', privateKey: rs.privateKey }, Buffer.from(`${rh}.${rp}`))],
  ];
  for (const [label, bytes] of rsa) cases.push(expectOn(`RS256: ${label}`, 'bad_signature', `${rh}.${rp}.${b64url(bytes)}`));
  const ps = f.ps256;
  const [ph, pp] = parts(accessToken(ps));
  const psInput = Buffer.from(`${ph}.${pp}`);
  const pss = (saltLength: number) => cryptoSign('sha256', psInput, { key: ps.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
  cases.push(
    expectOn('PS256: salt length 0 (RFC 7518 requires the hash length, 32)', 'bad_signature', `${ph}.${pp}.${b64url(pss(0))}`),
    expectOn('PS256: maximum salt length', 'bad_signature', `${ph}.${pp}.${b64url(pss(constants.RSA_PSS_SALTLEN_MAX_SIGN))}`),
    expectOn('PS256: salt length 32 (control)', 'ok', `${ph}.${pp}.${b64url(pss(32))}`),
    expectOn('PS256: a PKCS#1 v1.5 signature under a PS256 header', 'bad_signature', `${ph}.${pp}.${b64url(signBytes({ alg: 'RS256', privateKey: ps.privateKey }, psInput))}`),
  );

  // EdDSA: S + L is the same point equation but a non-canonical S (RFC 8032 §5.1.7 requires S < L).
  const ed = f.eddsa;
  const [eh, ep, esig] = parts(accessToken(ed));
  const edSig = Buffer.from(esig, 'base64url');
  const sPlusL = bigFromBytes(edSig.subarray(32), true) + ED25519_L;
  cases.push(expectOn('EdDSA: S + L (non-canonical S, malleability)', 'bad_signature', `${eh}.${ep}.${b64url(Buffer.concat([edSig.subarray(0, 32), bytesFromBig(sPlusL, 32, true)]))}`));

  // HMAC: the right MAC with another hash, truncated to 32 bytes.
  const hs = f.hs256;
  const [hh, hp] = parts(accessToken(hs));
  const mac512 = createHmac('sha512', hs.privateKey).update(`${hh}.${hp}`).digest().subarray(0, 32);
  cases.push(expectOn('HS256: HMAC-SHA-512 truncated to 32 bytes', 'bad_signature', `${hh}.${hp}.${b64url(mac512)}`, hmacVerifier));
  return { title: 'signatures', cases };
}

function kidGroup(f: Fixtures): CaseGroup {
  const { es256 } = f;
  const withKid = (kid: unknown) => signed(accessHeader(es256, { kid }), accessClaims(), es256);
  const cases: TokenCase[] = [];
  const unknown: [string, unknown][] = [
    ['path traversal "../../etc/passwd"', '../../etc/passwd'],
    ['SQL injection', "' OR '1'='1"],
    ['a NUL byte', 'kid\u0000x'],
    ['the real kid followed by NUL', `${es256.kid}\u0000`],
    ['the real kid upper-cased', es256.kid.toUpperCase()],
    ['the real kid with a trailing space', `${es256.kid} `],
    ['257 characters (over the 256 limit)', 'k'.repeat(257)],
    ['256 characters', 'k'.repeat(256)],
    ['a number', 7638],
    ['an object', { kid: es256.kid }],
    ['an array', [es256.kid]],
    ['null', null],
    ['the empty string', ''],
    ['true', true],
    ['"__proto__"', '__proto__'],
    ['"constructor"', 'constructor'],
    ['"hasOwnProperty"', 'hasOwnProperty'],
    ['missing', undefined],
  ];
  for (const [label, kid] of unknown) cases.push(expectOn(`kid ${label}`, 'unknown_kid', withKid(kid)));
  const huge = withKid('k'.repeat(10_000));
  cases.push(expectOn(`kid of 10,000 characters (token ${huge.length} characters, over 8 KiB)`, 'token_too_large', huge));
  const hugeWithLimit = () => asymmetricVerifier({ maxTokenLength: 20_000 }).verifySync(huge);
  cases.push({ name: 'kid of 10,000 characters under a 20,000-character limit', expect: 'unknown_kid', run: hugeWithLimit });
  const other = f.otherIssuerKey;
  const crossIssuer = signed(accessHeader(other), accessClaims(), other);
  const twoIssuers = () => asymmetricVerifier({ moreIssuers: [{ issuer: OTHER_ISSUER, keys: new LocalKeySet([other.trusted]) }] });
  cases.push(
    expectOn('the kid of another trusted issuer\'s key, token claiming our issuer', 'unknown_kid', crossIssuer, twoIssuers),
    expectOn('the same key with its own issuer (control)', 'ok', signed(accessHeader(other), accessClaims({ iss: OTHER_ISSUER }), other), twoIssuers),
  );
  return { title: 'kid injection', cases };
}

function embeddedKeyGroup(f: Fixtures): CaseGroup {
  const { es256 } = f;
  const attacker = f.attackerEs256;
  const attackerJwk = attacker.publicKey.export({ format: 'jwk' });
  const attackerKid = 'attacker-key';
  const spkiB64 = (es256.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
  const cases: TokenCase[] = [
    expectOn('jwk: the attacker key that signed the token, its own kid', 'embedded_key_not_allowed', signed(accessHeader(es256, { kid: attackerKid, jwk: attackerJwk }), accessClaims(), attacker)),
    expectOn('jwk: the attacker key that signed the token, the real kid', 'embedded_key_not_allowed', signed(accessHeader(es256, { jwk: attackerJwk }), accessClaims(), attacker)),
    expectOn('jwk: the attacker key, no kid', 'embedded_key_not_allowed', signed(accessHeader(es256, { kid: undefined, jwk: attackerJwk }), accessClaims(), attacker)),
    expectOn('jwk: the real public key, signed by the real key', 'embedded_key_not_allowed', signed(accessHeader(es256, { jwk: es256.jwk }), accessClaims(), es256)),
    expectOn('jwk: null', 'embedded_key_not_allowed', signed(accessHeader(es256, { jwk: null }), accessClaims(), es256)),
    expectOn('jku: an attacker URL', 'embedded_key_not_allowed', signed(accessHeader(es256, { kid: attackerKid, jku: 'https://attacker.example/jwks.json' }), accessClaims(), attacker)),
    expectOn('jku: the issuer\'s own JWKS URL', 'embedded_key_not_allowed', signed(accessHeader(es256, { jku: `${ISSUER}/.well-known/jwks.json` }), accessClaims(), es256)),
    expectOn('x5u', 'embedded_key_not_allowed', signed(accessHeader(es256, { x5u: 'https://attacker.example/cert.pem' }), accessClaims(), attacker)),
    expectOn('x5c', 'embedded_key_not_allowed', signed(accessHeader(es256, { x5c: [spkiB64] }), accessClaims(), attacker)),
    expectOn('x5c: empty array', 'embedded_key_not_allowed', signed(accessHeader(es256, { x5c: [] }), accessClaims(), es256)),
    expectOn('"JWK" (member names are case-sensitive; unknown, ignored) (control)', 'ok', signed(accessHeader(es256, { JWK: attackerJwk }), accessClaims(), es256)),
  ];
  return { title: 'embedded and remote keys', cases };
}

function critGroup(f: Fixtures): CaseGroup {
  const { es256 } = f;
  const withHeader = (extra: Record<string, unknown>) => signed(accessHeader(es256, extra), accessClaims(), es256);
  return {
    title: 'crit',
    cases: [
      expectOn('crit ["exp"] with "exp" in the header', 'unsupported_crit', withHeader({ crit: ['exp'], exp: NOW + 300 })),
      expectOn('crit ["b64"] with b64: false', 'unsupported_crit', withHeader({ crit: ['b64'], b64: false })),
      expectOn('crit ["b64"] with b64: true', 'unsupported_crit', withHeader({ crit: ['b64'], b64: true })),
      expectOn('crit []', 'unsupported_crit', withHeader({ crit: [] })),
      expectOn('crit "x" (a string)', 'unsupported_crit', withHeader({ crit: 'x', x: 1 })),
      expectOn('crit [1]', 'unsupported_crit', withHeader({ crit: [1] })),
      expectOn('crit null', 'unsupported_crit', withHeader({ crit: null })),
      expectOn('crit {} (an object)', 'unsupported_crit', withHeader({ crit: {} })),
      expectOn('crit names a member absent from the header', 'unsupported_crit', withHeader({ crit: ['urn:example:ext'] })),
      expectOn('crit names a present extension we do not implement', 'unsupported_crit', withHeader({ crit: ['urn:example:ext'], 'urn:example:ext': true })),
      expectOn('crit ["alg"] (a registered name)', 'unsupported_crit', withHeader({ crit: ['alg'] })),
      expectOn('b64: false without crit is ignored (control)', 'ok', withHeader({ b64: false })),
    ],
  };
}

function typGroup(f: Fixtures): CaseGroup {
  const { es256 } = f;
  const withTyp = (typ: unknown) => signed(accessHeader(es256, { typ }), accessClaims(), es256);
  const cases: TokenCase[] = [];
  const wrong: [string, unknown][] = [
    ['missing', undefined],
    ['"JWT" (an ID token\'s)', 'JWT'],
    ['"jwt"', 'jwt'],
    ['"at+jwt " with a trailing space', 'at+jwt '],
    ['" at+jwt" with a leading space', ' at+jwt'],
    ['"at+jwt\\u0000"', 'at+jwt\u0000'],
    ['"application/jwt"', 'application/jwt'],
    ['"application/application/at+jwt"', 'application/application/at+jwt'],
    ['"at+jwt; charset=utf-8"', 'at+jwt; charset=utf-8'],
    ['"dpop+jwt"', 'dpop+jwt'],
    ['"logout+jwt"', 'logout+jwt'],
    ['""', ''],
    ['a number', 1],
    ['null', null],
    ['an array', ['at+jwt']],
  ];
  for (const [label, typ] of wrong) cases.push(expectOn(`typ ${label}`, 'wrong_typ', withTyp(typ)));
  for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT', 'Application/AT+JWT', 'at+JWT']) {
    cases.push(expectOn(`typ "${typ}" (accepted)`, 'ok', withTyp(typ)));
  }
  cases.push(expectOn('typ "JWT" for an issuer configured with typ: null (accepted)', 'ok', withTyp('JWT'), () => asymmetricVerifier({ typ: null })));
  cases.push(expectOn('typ missing for an issuer configured with typ: null (accepted)', 'ok', withTyp(undefined), () => asymmetricVerifier({ typ: null })));
  return { title: 'typ', cases };
}

function claimsGroup(f: Fixtures): CaseGroup {
  const { es256 } = f;
  const withClaims = (claims: Record<string, unknown>) => accessToken(es256, { claims });
  const raw = (extra: string, drop: string) => {
    const base = accessClaims({ [drop]: undefined });
    return signed(accessHeader(es256), new RawJson(`${JSON.stringify(base).slice(0, -1)},${extra}}`), es256);
  };
  const c = (name: string, expect: Expected, claims: Record<string, unknown>) => expectOn(name, expect, withClaims(claims));
  return {
    title: 'claims',
    cases: [
      c('a correct access token (control)', 'ok', {}),
      c('exp 31 s ago (beyond the 30 s leeway)', 'token_expired', { exp: NOW - 31 }),
      c('exp exactly 30 s ago (the leeway boundary)', 'token_expired', { exp: NOW - 30 }),
      c('exp 29 s ago (within leeway)', 'ok', { exp: NOW - 29 }),
      c('exp long ago', 'token_expired', { exp: 1, iat: 0 }),
      c('nbf 31 s ahead', 'token_not_yet_valid', { nbf: NOW + 31 }),
      c('nbf 30 s ahead (within leeway)', 'ok', { nbf: NOW + 30 }),
      c('iat 31 s ahead', 'issued_in_future', { iat: NOW + 31 }),
      c('iat 30 s ahead (within leeway)', 'ok', { iat: NOW + 30 }),
      c('exp missing', 'missing_claim', { exp: undefined }),
      c('iat missing', 'missing_claim', { iat: undefined }),
      c('sub missing', 'missing_claim', { sub: undefined }),
      c('jti missing', 'missing_claim', { jti: undefined }),
      c('client_id missing', 'missing_claim', { client_id: undefined }),
      c('aud missing', 'missing_claim', { aud: undefined }),
      c('scope missing (optional)', 'ok', { scope: undefined }),
      c('scope empty (allowed)', 'ok', { scope: '' }),
      c('exp a numeric string', 'invalid_claim', { exp: String(NOW + 300) }),
      c('exp "1e3"', 'invalid_claim', { exp: '1e3' }),
      c('exp "NaN"', 'invalid_claim', { exp: 'NaN' }),
      c('exp null', 'invalid_claim', { exp: null }),
      expectOn('exp 1e400 (parses to Infinity)', 'invalid_claim', raw('"exp":1e400', 'exp')),
      expectOn('exp -1e400 (parses to -Infinity)', 'invalid_claim', raw('"exp":-1e400', 'exp')),
      c('exp an array', 'invalid_claim', { exp: [NOW + 300] }),
      c('iat a boolean', 'invalid_claim', { iat: true }),
      c('nbf a string', 'invalid_claim', { nbf: 'now' }),
      c('aud a number', 'invalid_claim', { aud: 1 }),
      c('aud []', 'invalid_claim', { aud: [] }),
      c('aud ["orders", 1]', 'invalid_claim', { aud: [AUDIENCE, 1] }),
      c('aud ""', 'invalid_claim', { aud: '' }),
      c('aud ["orders", ""]', 'invalid_claim', { aud: [AUDIENCE, ''] }),
      c('aud an object', 'invalid_claim', { aud: { orders: true } }),
      c('sub a number', 'invalid_claim', { sub: 42 }),
      c('sub ""', 'invalid_claim', { sub: '' }),
      c('jti ""', 'invalid_claim', { jti: '' }),
      c('client_id null', 'invalid_claim', { client_id: null }),
      c('scope an array', 'invalid_claim', { scope: ['orders:read'] }),
      c('sid a number', 'invalid_claim', { sid: 1 }),
      c('roles a string', 'invalid_claim', { roles: 'admin' }),
      c('roles ["admin", 1]', 'invalid_claim', { roles: ['admin', 1] }),
      c('roles ["admin"] (control)', 'ok', { roles: ['admin'] }),
      c('iss missing', 'wrong_issuer', { iss: undefined }),
      c('iss another issuer', 'wrong_issuer', { iss: 'https://evil.example.com' }),
      c('iss with a trailing slash', 'wrong_issuer', { iss: `${ISSUER}/` }),
      c('iss in another case', 'wrong_issuer', { iss: ISSUER.toUpperCase() }),
      c('iss a number', 'wrong_issuer', { iss: 1 }),
      c('iss an array holding the issuer', 'wrong_issuer', { iss: [ISSUER] }),
      c('aud another audience', 'wrong_audience', { aud: 'payments' }),
      c('aud an array without the expected audience', 'wrong_audience', { aud: ['payments', 'billing'] }),
      c('aud in another case', 'wrong_audience', { aud: AUDIENCE.toUpperCase() }),
      c('aud an array containing the expected audience', 'ok', { aud: ['payments', AUDIENCE] }),
      { name: 'per-call audience override: token for orders, call expects payments', expect: 'wrong_audience', run: () => asymmetricVerifier().verifySync(withClaims({}), { audience: 'payments' }) },
      { name: 'per-call audience list containing the token\'s audience', expect: 'ok', run: () => asymmetricVerifier().verifySync(withClaims({ aud: 'payments' }), { audience: ['billing', 'payments'] }) },
    ],
  };
}

function structureGroup(f: Fixtures): CaseGroup {
  const { es256 } = f;
  const token = accessToken(es256);
  const [h, p, s] = parts(token);
  const header = accessHeader(es256);
  const claims = accessClaims();
  const resigned = (hs: string, ps: string) => signSegments(hs, ps, es256);
  const cases: TokenCase[] = [
    expectOn('the valid token (control)', 'ok', token),
    expectOn('empty string', 'token_missing', ''),
    expectOn('undefined', 'token_missing', undefined),
    expectOn('null', 'token_missing', null),
    expectOn('a number', 'token_missing', 42),
    expectOn('a Buffer holding the token', 'token_missing', Buffer.from(token)),
    expectOn('a String object holding the token', 'token_missing', new String(token)),
    expectOn('an array holding the token', 'token_missing', [token]),
    expectOn('a flattened JSON serialization object', 'token_missing', { protected: h, payload: p, signature: s }),
    expectOn('a general JSON serialization object', 'token_missing', { payload: p, signatures: [{ protected: h, signature: s }] }),
    expectOn('the flattened JSON serialization as a JSON string', 'malformed_token', JSON.stringify({ protected: h, payload: p, signature: s })),
    expectOn('one part', 'malformed_token', h),
    expectOn('two parts', 'malformed_token', `${h}.${p}`),
    expectOn('four parts', 'malformed_token', `${token}.${s}`),
    expectOn('four parts, the last empty', 'malformed_token', `${token}.`),
    expectOn('five parts (a JWE shape)', 'malformed_token', `${h}..${p}.${s}.${s}`),
    expectOn('".."', 'malformed_token', '..'),
    expectOn('empty header part', 'malformed_token', `.${p}.${s}`),
    expectOn('leading space', 'malformed_token', ` ${token}`),
    expectOn('trailing space', 'malformed_token', `${token} `),
    expectOn('leading newline', 'malformed_token', `\n${token}`),
    expectOn('trailing CRLF', 'malformed_token', `${token}\r\n`),
    expectOn('leading tab', 'malformed_token', `\t${token}`),
    expectOn('"Bearer " prefix left on', 'malformed_token', `Bearer ${token}`),
    expectOn('a space inside the payload part, re-signed', 'malformed_token', resigned(h, `${p.slice(0, 10)} ${p.slice(10)}`)),
    expectOn('a newline inside the header part, re-signed', 'malformed_token', resigned(`${h.slice(0, 8)}\n${h.slice(8)}`, p)),
    expectOn('signature with "=" padding', 'malformed_token', `${h}.${p}.${padded(s)}`),
  ];
  const aliasAt: [string, number, number][] = [
    ['header', 3, 0x01],
    ['payload', h.length + 1 + 7, 0x01],
    ['signature', h.length + 1 + p.length + 1 + 5, 0x01],
    ['signature, U+FFxx', h.length + 1 + p.length + 1 + 9, 0xff],
  ];
  for (const [where, index, high] of aliasAt) {
    cases.push(expectOn(`a ${where} character replaced by the UTF-16 unit with the same low byte`, 'malformed_token', utf16Alias(token, index, high)));
  }
  cases.push(expectOn('a non-ASCII character (é) in the payload part', 'malformed_token', `${h}.${p.slice(0, 4)}é${p.slice(5)}.${s}`));
  const paddableHeader = withSpareBits((x) => ({ ...header, x }));
  const paddableClaims = withSpareBits((x) => ({ ...claims, x }));
  const ph = segment(paddableHeader);
  const pp = segment(paddableClaims);
  cases.push(
    expectOn('header part with "=" padding, re-signed', 'malformed_token', resigned(padded(ph), pp)),
    expectOn('payload part with "=" padding, re-signed', 'malformed_token', resigned(ph, padded(pp))),
    expectOn('header part with a spare trailing bit set, re-signed', 'malformed_token', resigned(withTrailingBitSet(ph), pp)),
    expectOn('payload part with a spare trailing bit set, re-signed', 'malformed_token', resigned(ph, withTrailingBitSet(pp))),
    expectOn('signature part with a spare trailing bit set', 'malformed_token', `${h}.${p}.${withTrailingBitSet(s)}`),
    expectOn('the re-signed parts, canonical (control)', 'ok', resigned(ph, pp)),
  );
  // '~~~' encodes to "fn5-" and '???' to "Pz8_": six of each guarantee a '-' and a '_' at any alignment.
  const dashy = segment({ ...claims, note: '~~~~~~??????' });
  if (!dashy.includes('-') || !dashy.includes('_')) throw new Error('payload segment lacks - or _');
  cases.push(
    expectOn('"-" replaced by "+" (standard base64), re-signed', 'malformed_token', resigned(h, dashy.replace('-', '+'))),
    expectOn('"_" replaced by "/" (standard base64), re-signed', 'malformed_token', resigned(h, dashy.replace('_', '/'))),
    expectOn('the "-"/"_" payload as is (control)', 'ok', resigned(h, dashy)),
  );
  const headerCases: [string, Part | RawJson][] = [
    ['header not JSON', new RawJson('{alg:"ES256"}')],
    ['header a JSON array', [header]],
    ['header "null"', new RawJson('null')],
    ['header a JSON string', new RawJson('"ES256"')],
    ['header with duplicate "alg"', new RawJson(`{"alg":"ES256","alg":"none","kid":"${es256.kid}","typ":"at+jwt"}`)],
    ['header with duplicate "alg" (same value)', new RawJson(`{"alg":"ES256","kid":"${es256.kid}","typ":"at+jwt","alg":"ES256"}`)],
    ['header with duplicate "kid", one \\u-escaped', new RawJson(`{"alg":"ES256","kid":"${es256.kid}","typ":"at+jwt","\\u006bid":"other"}`)],
    ['header not UTF-8', Buffer.concat([Buffer.from(`{"alg":"ES256","kid":"${es256.kid}","typ":"at+jwt","x":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])],
    ['header nested 2,000 deep', new RawJson(`{"alg":"ES256","kid":"${es256.kid}","typ":"at+jwt","x":${nested(2000)}}`)],
    ['header nested 17 deep', new RawJson(`{"alg":"ES256","kid":"${es256.kid}","typ":"at+jwt","x":${nested(16)}}`)],
    ['header with a trailing comma', new RawJson(`{"alg":"ES256","kid":"${es256.kid}","typ":"at+jwt",}`)],
    ['header with a byte-order mark', new RawJson(`\ufeff${JSON.stringify(header)}`)],
  ];
  for (const [label, bad] of headerCases) cases.push(expectOn(label, 'malformed_header', signed(bad, claims, es256)));
  cases.push(
    expectOn('header with odd but valid JSON whitespace (control)', 'ok', signed(new RawJson(` {\n\t"alg" : "ES256" ,\r\n "kid":"${es256.kid}", "typ" :"at+jwt" }\n`), claims, es256)),
    expectOn('header nested 16 deep (control)', 'ok', signed(new RawJson(`{"alg":"ES256","kid":"${es256.kid}","typ":"at+jwt","x":${nested(15)}}`), claims, es256)),
  );
  const base = JSON.stringify(claims).slice(0, -1);
  const payloadCases: [string, Part | RawJson][] = [
    ['payload not JSON', 'not json'],
    ['payload empty', new RawJson('')],
    ['payload a JSON array', [claims]],
    ['payload "null"', new RawJson('null')],
    ['payload a number', new RawJson('1')],
    ['payload with duplicate "sub"', new RawJson(`${base},"sub":"admin"}`)],
    ['payload with duplicate "sub", the second \\u-escaped', new RawJson(`${base},"s\\u0075b":"admin"}`)],
    ['payload with duplicate "sub", both spelled differently escaped', new RawJson(`{"\\u0073ub":"a",${base.slice(1)},"su\\u0062":"admin"}`)],
    ['payload with a duplicate inside a nested object', new RawJson(`${base},"cnf":{"jkt":"a","jkt":"b"}}`)],
    ['payload with duplicate "__proto__"', new RawJson(`${base},"__proto__":{},"__proto__":{"admin":true}}`)],
    ['payload not UTF-8 (0xff)', Buffer.concat([Buffer.from(`${base},"name":"`), Buffer.from([0xff]), Buffer.from('"}')])],
    ['payload with an overlong UTF-8 encoding', Buffer.concat([Buffer.from(`${base},"name":"`), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])],
    ['payload with a UTF-8-encoded surrogate', Buffer.concat([Buffer.from(`${base},"name":"`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
    ['payload nested 2,000 deep (under the size limit)', rawClaims(`"x":${nested(2000)}`)],
    ['payload nested 17 deep', rawClaims(`"x":${nested(16)}`)],
    ['payload with trailing garbage', new RawJson(`${JSON.stringify(claims)}x`)],
    ['payload with a byte-order mark', new RawJson(`\ufeff${JSON.stringify(claims)}`)],
    ['payload with an unterminated string', new RawJson(`${base},"x":"abc}`)],
  ];
  for (const [label, bad] of payloadCases) {
    const t = signed(header, bad, es256);
    if (t.length > 8192) throw new Error(`${label}: ${t.length} characters`);
    cases.push(expectOn(label, 'malformed_payload', t));
  }
  cases.push(
    expectOn('payload nested 16 deep (control)', 'ok', signed(header, rawClaims(`"x":${nested(15)}`), es256)),
    expectOn('payload with escaped quotes and colons in strings (control)', 'ok', signed(header, rawClaims(`"note":"a\\":\\"b\\\\","k:e\\"y":"{[:]}"`), es256)),
    expectOn('payload with "__proto__" once (control)', 'ok', signed(header, rawClaims('"__proto__":{"admin":true}'), es256)),
    expectOn('payload with non-ASCII claims (control)', 'ok', signed(header, { ...claims, name: 'Zoë 😀 ü' }, es256)),
  );
  const exact = tokenOfLength(es256, 8192);
  cases.push(
    expectOn('exactly 8,192 characters (parsed, valid)', 'ok', exact),
    expectOn('8,193 characters', 'token_too_large', `${exact}A`),
    expectOn('a megabyte of dots', 'token_too_large', '.'.repeat(1 << 20)),
    { name: 'a 1,001-character token under maxTokenLength 1,000', expect: 'token_too_large', run: () => asymmetricVerifier({ maxTokenLength: 1000 }).verifySync(tokenOfLength(es256, 1001)) },
    { name: 'a 1,000-character token under maxTokenLength 1,000', expect: 'ok', run: () => asymmetricVerifier({ maxTokenLength: 1000 }).verifySync(tokenOfLength(es256, 1000)) },
  );
  return { title: 'structure and encoding', cases };
}

function revocationGroup(f: Fixtures): CaseGroup {
  const { es256 } = f;
  const cases: TokenCase[] = [];
  for (const list of ['token', 'family', 'subject', 'key'] as RevocationList[]) {
    const token = accessToken(es256, { claims: { sid: 'family-1' } });
    cases.push({ name: `revoked on the ${list} list`, expect: 'token_revoked', run: () => asymmetricVerifier({ isRevoked: () => list }).verifySync(token) });
  }
  cases.push({ name: 'revocation hook returning undefined (control)', expect: 'ok', run: () => asymmetricVerifier({ isRevoked: () => undefined }).verifySync(accessToken(es256)) });
  return { title: 'revocation', cases };
}

function keysGroup(f: Fixtures): CaseGroup {
  const { es256 } = f;
  const token = accessToken(es256);
  const attackerToken = signed(accessHeader(es256, { kid: 'attacker-key' }), accessClaims(), f.attackerEs256);
  return {
    title: 'key availability',
    cases: [
      { name: 'keys never loaded (available: false), verifySync', expect: 'keys_unavailable', run: () => makeVerifier(unavailableKeySource()).verifySync(token) },
      { name: 'keys never loaded, verify waits for ready() and a refresh', expect: 'keys_unavailable', run: () => makeVerifier(unavailableKeySource()).verify(token) },
      { name: 'no key with this kid in a loaded set', expect: 'unknown_kid', run: () => asymmetricVerifier().verifySync(attackerToken) },
      { name: 'no key with this kid in a loaded set, async verify', expect: 'unknown_kid', run: () => asymmetricVerifier().verify(attackerToken) },
      { name: 'an empty loaded key set', expect: 'unknown_kid', run: () => makeVerifier([]).verifySync(token) },
      { name: 'the valid token through async verify (control)', expect: 'ok', run: () => asymmetricVerifier().verify(token) },
    ],
  };
}

/** Gateway assertions (createAssertionVerifier): the typ separation, the lifetime cap and the gh_ claims. */
function assertionGroup(f: Fixtures): CaseGroup {
  const { es256 } = f;
  const assertion = (claims: Record<string, unknown> = {}) =>
    signed(
      accessHeader(es256, { typ: ASSERTION_TYP }),
      accessClaims({ iat: NOW - 5, exp: NOW + 25, client_id: undefined, gh_route: 'orders', token_jti: 'at-1', ...claims }),
      es256,
    );
  // An assertion's claims are not an access token's (client_id is optional): the table holds VerifyResults.
  const check = (token: string) => () =>
    createAssertionVerifier({ issuer: ISSUER, keys: keySet([es256]), audience: AUDIENCE, clock: fixedClock() }).verifySync(token) as VerifyResult;
  const valid = assertion();
  return {
    title: 'gateway assertions',
    cases: [
      { name: 'a valid assertion (control)', expect: 'ok', run: check(valid) },
      { name: 'assertion living 61 s (exp - iat beyond the 60 s cap)', expect: 'invalid_claim', run: check(assertion({ iat: NOW - 1, exp: NOW + 60 })) },
      { name: 'assertion with gh_route a number', expect: 'invalid_claim', run: check(assertion({ gh_route: 7 })) },
      { name: 'assertion without gh_route', expect: 'missing_claim', run: check(assertion({ gh_route: undefined })) },
      { name: 'assertion with token_jti empty', expect: 'invalid_claim', run: check(assertion({ token_jti: '' })) },
      { name: 'an access token presented as an assertion', expect: 'wrong_typ', run: check(accessToken(es256)) },
      expectOn('an assertion presented as an access token', 'wrong_typ', valid),
    ],
  };
}
