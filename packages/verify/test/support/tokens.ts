/**
 * Test token factory. Signs ARBITRARY header and payload bytes (objects, raw JSON text, raw bytes,
 * or ready-made segments that need not be canonical), so tests can build duplicate members, odd
 * whitespace, non-UTF-8 bytes, hostile nesting and non-canonical encodings, each correctly signed.
 * Keys are node:crypto key pairs; kid is the RFC 7638 thumbprint computed by the SDK.
 */
import { constants, createHmac, createSecretKey, generateKeyPairSync, randomBytes, sign as cryptoSign, type KeyObject } from 'node:crypto';
import {
  createVerifier,
  importTrustedKey,
  jwkThumbprint,
  LocalKeySet,
  type Algorithm,
  type KeySource,
  type TokenVerifier,
  type TrustedIssuer,
  type TrustedKey,
  type VerifierOptions,
  type VerifyResult,
} from '@gatehouse/verify';

export const ISSUER = 'https://auth.example.com';
export const AUDIENCE = 'orders';
/** The fixed "now" of every test verifier, in seconds (a whole second, so jose and we agree). */
export const NOW = 1_750_000_000;

/** Any JWS algorithm name we can sign with: the SDK's, plus ES256K for confusion attacks. */
export type SigningAlgorithm = Algorithm | 'ES256K';

const HASH: Record<SigningAlgorithm, 'sha256' | 'sha384' | 'sha512' | null> = {
  ES256: 'sha256', ES384: 'sha384', ES512: 'sha512', ES256K: 'sha256',
  RS256: 'sha256', RS384: 'sha384', RS512: 'sha512',
  PS256: 'sha256', PS384: 'sha384', PS512: 'sha512',
  HS256: 'sha256', HS384: 'sha384', HS512: 'sha512',
  EdDSA: null,
};
const HASH_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const;

/** What signs: an algorithm (which decides the operation) and a private key or HMAC secret. */
export interface Signer {
  readonly alg: SigningAlgorithm;
  readonly privateKey: KeyObject | Uint8Array;
}

/** One JWS signature over `data`, exactly as RFC 7515/7518/8037 define it. */
export function signBytes(signer: Signer, data: Uint8Array): Buffer {
  const { alg, privateKey } = signer;
  const hash = HASH[alg];
  if (alg.startsWith('HS')) return createHmac(hash!, privateKey).update(data).digest();
  const key = privateKey as KeyObject;
  if (alg === 'EdDSA') return cryptoSign(null, data, key);
  if (alg.startsWith('ES')) return cryptoSign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
  if (alg.startsWith('RS')) return cryptoSign(hash, data, { key, padding: constants.RSA_PKCS1_PADDING });
  if (alg.startsWith('PS')) {
    return cryptoSign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[hash!] });
  }
  throw new TypeError(`cannot sign ${alg}`);
}

/** A key pair (or HMAC secret) with its trusted, imported public side. */
export interface TestKey extends Signer {
  readonly alg: Algorithm;
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** The public key (the secret itself for HMAC). */
  readonly publicKey: KeyObject;
  /** The public JWK as an issuer publishes it: key members plus kid, alg, use (oct: k). */
  readonly jwk: Readonly<Record<string, string>>;
  readonly trusted: TrustedKey;
}

function keyPairFor(alg: SigningAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === 'ES384') return generateKeyPairSync('ec', { namedCurve: 'P-384' });
  if (alg === 'ES512') return generateKeyPairSync('ec', { namedCurve: 'P-521' });
  if (alg === 'ES256K') return generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519');
  if (alg.startsWith('RS') || alg.startsWith('PS')) return generateKeyPairSync('rsa', { modulusLength: 2048 });
  throw new TypeError(`no key pair for ${alg}`);
}

/** A fresh key for `alg`, trusted for exactly that algorithm; kid = RFC 7638 thumbprint. */
export function generateTestKey(alg: Algorithm): TestKey {
  if (alg.startsWith('HS')) {
    const secret = randomBytes(HASH_BYTES[HASH[alg]!]);
    return hmacTestKey(alg, secret);
  }
  const { privateKey, publicKey } = keyPairFor(alg);
  const exported = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const kid = jwkThumbprint(exported);
  const jwk = { ...exported, kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicKey, jwk, trusted: importTrustedKey(jwk, { algorithms: [alg] }) };
}

/** An HMAC key over a given secret; `kid` defaults to the RFC 7638 thumbprint of the oct JWK. */
export function hmacTestKey(alg: Algorithm, secret: Uint8Array, kid?: string): TestKey {
  const k = Buffer.from(secret).toString('base64url');
  const jwk = { kty: 'oct', k, alg, kid: kid ?? jwkThumbprint({ kty: 'oct', k }) };
  const keyObject = createSecretKey(secret);
  return { alg, kid: jwk.kid, privateKey: keyObject, publicKey: keyObject, jwk, trusted: importTrustedKey(jwk, { algorithms: [alg] }) };
}

/** An attacker's key pair for any algorithm we can sign with (never trusted). */
export function generateSigner(alg: SigningAlgorithm): Signer & { readonly publicKey: KeyObject } {
  return { alg, ...keyPairFor(alg) };
}

/** A header or payload: an object/array/value (JSON.stringify), raw JSON text (UTF-8), or raw bytes. */
export type Part = string | Uint8Array | Record<string, unknown> | readonly unknown[] | number | boolean | null;

/** A raw JSON text, to tell it apart from a JSON value that happens to be a string. */
export class RawJson {
  constructor(readonly text: string) {}
}

export function partBytes(part: Part | RawJson): Buffer {
  if (part instanceof RawJson) return Buffer.from(part.text, 'utf8');
  if (part instanceof Uint8Array) return Buffer.from(part);
  if (typeof part === 'string') return Buffer.from(part, 'utf8');
  return Buffer.from(JSON.stringify(part), 'utf8');
}

export function b64url(bytes: Uint8Array | string): string {
  return Buffer.from(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes).toString('base64url');
}

export function segment(part: Part | RawJson): string {
  return partBytes(part).toString('base64url');
}

/** Signs the two given segments as they are (canonical or not) and appends the signature segment. */
export function signSegments(headerSegment: string, payloadSegment: string, signer: Signer): string {
  const input = `${headerSegment}.${payloadSegment}`;
  return `${input}.${b64url(signBytes(signer, Buffer.from(input, 'utf8')))}`;
}

export interface CompactSpec {
  readonly header: Part | RawJson;
  readonly payload: Part | RawJson;
  /** Signs with this; or give `signature` (bytes, or a raw segment string) instead. */
  readonly signer?: Signer;
  readonly signature?: Uint8Array | string;
}

/** A compact JWS over arbitrary header and payload bytes. */
export function compact(spec: CompactSpec): string {
  const h = segment(spec.header);
  const p = segment(spec.payload);
  if (spec.signer !== undefined) return signSegments(h, p, spec.signer);
  const sig = spec.signature ?? '';
  return `${h}.${p}.${typeof sig === 'string' ? sig : b64url(sig)}`;
}

let jtiCounter = 0;

/** A correct access token's claims (RFC 9068), at NOW; `undefined` in overrides drops a claim. */
export function accessClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    iss: ISSUER,
    sub: 'alice',
    aud: AUDIENCE,
    exp: NOW + 300,
    iat: NOW - 10,
    jti: `jti-${++jtiCounter}`,
    client_id: 'web',
    scope: 'orders:read',
    ...overrides,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return claims;
}

/** A correct access token header for `key`; `undefined` in overrides drops a member. */
export function accessHeader(key: { alg: string; kid: string }, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const header: Record<string, unknown> = { alg: key.alg, kid: key.kid, typ: 'at+jwt', ...overrides };
  for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name];
  return header;
}

export interface AccessTokenSpec {
  readonly header?: Record<string, unknown>;
  readonly claims?: Record<string, unknown>;
  /** Sign with another key (the header still names `key`'s kid and alg unless overridden). */
  readonly signer?: Signer;
}

/** A correctly signed access token from `key`, with header/claim overrides. */
export function accessToken(key: TestKey, spec: AccessTokenSpec = {}): string {
  return compact({ header: accessHeader(key, spec.header), payload: accessClaims(spec.claims), signer: spec.signer ?? key });
}

/** A clock that can be set and advanced, in milliseconds; starts at NOW. */
export class TestClock {
  ms = NOW * 1000;
  readonly now = (): number => this.ms;
  advanceSeconds(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export function fixedClock(seconds: number = NOW): () => number {
  return () => seconds * 1000;
}

export function keySet(keys: readonly (TestKey | TrustedKey)[]): LocalKeySet {
  return new LocalKeySet(keys.map((k) => ('trusted' in k ? k.trusted : k)));
}

export interface TestVerifierOptions extends Partial<Omit<VerifierOptions, 'issuers'>> {
  /** Extra trusted issuers besides ISSUER. */
  readonly moreIssuers?: readonly TrustedIssuer[];
  readonly typ?: string | null;
}

/** A verifier trusting `keys` for ISSUER, audience AUDIENCE, the clock fixed at NOW. */
export function makeVerifier(keys: readonly (TestKey | TrustedKey)[] | KeySource, options: TestVerifierOptions = {}): TokenVerifier {
  const { moreIssuers = [], typ, ...rest } = options;
  const source = Array.isArray(keys) ? keySet(keys) : (keys as KeySource);
  const issuer: TrustedIssuer = typ === undefined ? { issuer: ISSUER, keys: source } : { issuer: ISSUER, keys: source, typ };
  return createVerifier({ audience: AUDIENCE, clock: fixedClock(), ...rest, issuers: [issuer, ...moreIssuers] });
}

/** 'ok' or the reason code, for one-line assertions. */
export function outcome(result: VerifyResult): string {
  return result.ok ? 'ok' : result.reason;
}

/** The detail of a result, for assertion messages. */
export function explain(result: VerifyResult): string {
  return result.ok ? `accepted (cached: ${result.cached})` : `${result.reason}: ${result.detail}`;
}

/** Splits a compact token into its three segments (asserting there are three). */
export function parts(token: string): [string, string, string] {
  const split = token.split('.');
  if (split.length !== 3) throw new TypeError(`not three parts: ${token}`);
  return split as [string, string, string];
}
