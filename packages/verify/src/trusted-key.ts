import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { ALGORITHMS, isAlgorithm, prepareSignatureCheck, type Algorithm, type SignatureCheck } from './algorithms.ts';
import { decodeBase64url } from './base64url.ts';
import { GatehouseError } from './errors.ts';
import { isRocaVulnerable } from './rsa-roca.ts';
import { MAX_KID_LENGTH } from './compact.ts';
import { edwardsKeyWeakness } from './edwards-key-checks.ts';
import { jwkThumbprint } from './thumbprint.ts';

/**
 * A verification key that passed every import check, with its signature check prepared. The
 * algorithm belongs to the key: a token's `alg` must equal it (RFC 8725 §3.1).
 */
export interface TrustedKey {
  readonly kid: string;
  readonly alg: Algorithm;
  readonly keyObject: KeyObject;
  /** The public JWK as published (members we understand only), undefined for symmetric keys. */
  readonly publicJwk: Readonly<Record<string, string>> | undefined;
  readonly verify: SignatureCheck;
}

export interface ImportKeyOptions {
  /** Algorithms this trust relationship accepts. Default: every asymmetric algorithm. */
  readonly algorithms?: readonly Algorithm[];
  /** The algorithm for RSA keys that publish no `alg` (some IdPs omit it). Default RS256. */
  readonly rsaAlgorithm?: Algorithm;
  /** Minimum RSA modulus. Default 2048 (RFC 7518 §3.3); lower values are refused. */
  readonly minRsaBits?: number;
}

export const ASYMMETRIC_ALGORITHMS: readonly Algorithm[] = (Object.keys(ALGORITHMS) as Algorithm[]).filter((a) => ALGORITHMS[a].kty !== 'oct');

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'] as const;
const EC_COORDINATE_BYTES: Record<string, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };
const OKP_KEY_BYTES: Record<string, number> = { Ed25519: 32, Ed448: 57 };

function reject(why: string, kid?: unknown): never {
  const where = typeof kid === 'string' ? ` (kid "${kid.slice(0, 80)}")` : '';
  throw new GatehouseError('key_rejected', `JWK refused${where}: ${why}`);
}

/** Imports one public JWK (or, with `oct` among the algorithms, a shared HMAC secret). Throws key_rejected. */
export function importTrustedKey(input: unknown, options: ImportKeyOptions = {}): TrustedKey {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) reject('not a JSON object');
  const jwk = input as Record<string, unknown>;
  checkImportOptions(options);
  const allowed = options.algorithms ?? ASYMMETRIC_ALGORITHMS;
  const { kty, kid } = jwk;
  // The same bound the token parser applies: a longer kid could never be named by a token.
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)) reject('"kid" must be a non-empty string of at most 256 characters');
  if (jwk.use !== undefined && jwk.use !== 'sig') reject(`"use" is ${JSON.stringify(jwk.use)}, not "sig"`, kid);
  if (jwk.key_ops !== undefined && (!Array.isArray(jwk.key_ops) || !jwk.key_ops.includes('verify'))) reject('"key_ops" does not allow "verify"', kid);

  const alg = resolveAlgorithm(jwk, options);
  if (!allowed.includes(alg)) reject(`algorithm ${alg} is not allowed for this issuer`, kid);
  const spec = ALGORITHMS[alg];
  if (spec.kty !== kty) reject(`"kty" ${String(kty)} does not fit algorithm ${alg}`, kid);

  let keyObject: KeyObject;
  let publicJwk: Record<string, string> | undefined;
  if (kty === 'oct') {
    const secret = typeof jwk.k === 'string' ? decodeBase64url(jwk.k) : undefined;
    if (secret === undefined) reject('"k" is not canonical base64url', kid);
    // RFC 7518 §3.2: the key must be at least as long as the hash output.
    const minimum = { sha256: 32, sha384: 48, sha512: 64 }[spec.hash as 'sha256' | 'sha384' | 'sha512'];
    if (secret.length < minimum) reject(`HMAC key is ${secret.length} bytes; ${alg} needs at least ${minimum}`, kid);
    keyObject = createSecretKey(secret);
  } else {
    for (const member of PRIVATE_MEMBERS) if (member in jwk) reject(`private key material ("${member}") in a trusted key`, kid);
    publicJwk = publicMembers(jwk, kty as string, kid);
    try {
      keyObject = createPublicKey({ key: publicJwk, format: 'jwk' });
    } catch (cause) {
      reject(`invalid key material (${(cause as Error).message})`, kid);
    }
    if (kty === 'RSA') checkRsa(keyObject, options.minRsaBits ?? 2048, kid);
  }
  const thumbprintSource = kty === 'oct' ? { kty, k: jwk.k } : publicJwk!;
  return {
    kid: typeof kid === 'string' ? kid : jwkThumbprint(thumbprintSource),
    alg,
    keyObject,
    publicJwk: publicJwk === undefined ? undefined : Object.freeze({ ...publicJwk, kid: (kid as string | undefined) ?? jwkThumbprint(publicJwk), alg, use: 'sig' }),
    verify: prepareSignatureCheck(alg, keyObject),
  };
}

/** Options that would switch a safety check off are refused, not taken literally. */
function checkImportOptions(options: ImportKeyOptions): void {
  const { minRsaBits, rsaAlgorithm, algorithms } = options;
  if (minRsaBits !== undefined && !(Number.isInteger(minRsaBits) && minRsaBits >= 2048 && minRsaBits <= MAX_RSA_BITS)) {
    throw new GatehouseError('invalid_option', 'minRsaBits must be an integer from 2048 to 8192');
  }
  if (rsaAlgorithm !== undefined && !(isAlgorithm(rsaAlgorithm) && ALGORITHMS[rsaAlgorithm].kty === 'RSA')) {
    throw new GatehouseError('invalid_option', 'rsaAlgorithm must be an RSA algorithm (RS256 … PS512)');
  }
  if (algorithms !== undefined && (!Array.isArray(algorithms) || !algorithms.every(isAlgorithm))) {
    throw new GatehouseError('invalid_option', 'algorithms must be a list of supported JWS algorithms');
  }
}

function resolveAlgorithm(jwk: Record<string, unknown>, options: ImportKeyOptions): Algorithm {
  if (jwk.alg !== undefined) {
    if (!isAlgorithm(jwk.alg)) reject(`unsupported "alg" ${JSON.stringify(jwk.alg)}`, jwk.kid);
    const spec = ALGORITHMS[jwk.alg];
    if ('crv' in spec && spec.crv !== jwk.crv) reject(`"alg" ${jwk.alg} does not fit curve ${String(jwk.crv)}`, jwk.kid);
    return jwk.alg;
  }
  switch (jwk.kty) {
    case 'EC': {
      const alg = (Object.keys(ALGORITHMS) as Algorithm[]).find((a) => (ALGORITHMS[a] as { crv?: string }).crv === jwk.crv);
      if (alg === undefined) reject(`unsupported curve ${String(jwk.crv)}`, jwk.kid);
      return alg;
    }
    case 'OKP':
      return 'EdDSA';
    case 'RSA':
      return options.rsaAlgorithm ?? 'RS256';
    case 'oct':
      return reject('a symmetric key must name its "alg"', jwk.kid);
    default:
      return reject(`unsupported "kty" ${JSON.stringify(jwk.kty)}`, jwk.kid);
  }
}

/** Keeps only the members that define the public key, each checked as canonical base64url of the right size. */
function publicMembers(jwk: Record<string, unknown>, kty: string, kid: unknown): Record<string, string> {
  const bytes = (name: string): Buffer => {
    const value = jwk[name];
    const decoded = typeof value === 'string' ? decodeBase64url(value) : undefined;
    if (decoded === undefined || decoded.length === 0) reject(`"${name}" is missing or not canonical base64url`, kid);
    return decoded;
  };
  switch (kty) {
    case 'EC': {
      const crv = String(jwk.crv);
      const size = EC_COORDINATE_BYTES[crv];
      if (size === undefined) reject(`unsupported curve ${crv}`, kid);
      if (bytes('x').length !== size || bytes('y').length !== size) reject(`coordinates must be ${size} bytes on ${crv}`, kid);
      return { kty, crv, x: jwk.x as string, y: jwk.y as string };
    }
    case 'OKP': {
      const crv = String(jwk.crv);
      const size = OKP_KEY_BYTES[crv];
      if (size === undefined) reject(`unsupported OKP curve ${crv}`, kid);
      const x = bytes('x');
      if (x.length !== size) reject(`"x" must be ${size} bytes on ${crv}`, kid);
      const weakness = edwardsKeyWeakness(crv as 'Ed25519' | 'Ed448', x);
      if (weakness !== undefined) reject(`${crv} public key refused: ${weakness}`, kid);
      return { kty, crv, x: jwk.x as string };
    }
    case 'RSA': {
      const n = bytes('n');
      const e = bytes('e');
      // RFC 7518 §6.3.1: both are unsigned big-endian integers in their shortest form.
      if (n[0] === 0) reject('"n" has a leading zero byte', kid);
      if (e[0] === 0) reject('"e" has a leading zero byte', kid);
      return { kty, n: jwk.n as string, e: jwk.e as string };
    }
    default:
      return reject(`unsupported "kty" ${JSON.stringify(kty)}`, kid);
  }
}

/** Larger keys buy nothing and make every refused signature cost an attacker's chosen CPU. */
const MAX_RSA_BITS = 8192;
const MAX_RSA_EXPONENT = 2n ** 32n;

function checkRsa(key: KeyObject, minBits: number, kid: unknown): void {
  const details = key.asymmetricKeyDetails;
  const bits = details?.modulusLength ?? 0;
  if (bits < minBits) reject(`RSA modulus is ${bits} bits; at least ${minBits} required`, kid);
  if (bits > MAX_RSA_BITS) reject(`RSA modulus is ${bits} bits; at most ${MAX_RSA_BITS} accepted`, kid);
  const e = details?.publicExponent ?? 0n;
  if (e < 3n || e % 2n === 0n || e >= MAX_RSA_EXPONENT) reject(`RSA public exponent ${e} is not an odd number from 3 to 2^32`, kid);
  if (isRocaVulnerable(key)) reject('RSA modulus has the ROCA fingerprint (CVE-2017-15361); its factors can be recovered', kid);
}

export interface ImportedKeySet {
  readonly keys: readonly TrustedKey[];
  /** Keys left out because they are not signature keys for us (e.g. `use: enc`), with the reason. */
  readonly skipped: readonly { kid: string | undefined; reason: string }[];
}

/**
 * Imports a JWK Set. Keys that are not for us (encryption keys, algorithms this issuer is not
 * allowed, weak or malformed keys) are skipped and reported, so that one odd key in an IdP's set
 * does not take down the others; a token naming a skipped kid is then refused as unknown_kid.
 * What makes the whole set ambiguous is refused outright (keyset_rejected): duplicate kids,
 * symmetric and asymmetric keys mixed, private key material.
 */
export function importTrustedKeySet(input: unknown, options: ImportKeyOptions = {}): ImportedKeySet {
  const keysValue = input !== null && typeof input === 'object' ? (input as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keysValue)) throw new GatehouseError('keyset_rejected', 'JWK Set refused: no "keys" array');
  const kinds = new Set<string>();
  const seen = new Set<string>();
  for (const entry of keysValue) {
    // Not a JWK at all: importTrustedKey below skips it with a reason.
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) continue;
    const jwk = entry as Record<string, unknown>;
    kinds.add(jwk.kty === 'oct' ? 'symmetric' : 'asymmetric');
    if (jwk.kty !== 'oct' && PRIVATE_MEMBERS.some((m) => m in jwk)) {
      throw new GatehouseError('keyset_rejected', `JWK Set refused: private key material in key ${JSON.stringify(jwk.kid ?? null)}`);
    }
    if (typeof jwk.kid === 'string') {
      if (seen.has(jwk.kid)) throw new GatehouseError('keyset_rejected', `JWK Set refused: duplicate kid ${JSON.stringify(jwk.kid)}`);
      seen.add(jwk.kid);
    }
  }
  if (kinds.size > 1) throw new GatehouseError('keyset_rejected', 'JWK Set refused: symmetric and asymmetric keys mixed in one set');
  const keys: TrustedKey[] = [];
  const skipped: { kid: string | undefined; reason: string }[] = [];
  for (const entry of keysValue) {
    try {
      keys.push(importTrustedKey(entry, options));
    } catch (error) {
      if (!(error instanceof GatehouseError)) throw error;
      const kid = (entry as { kid?: unknown } | null)?.kid;
      skipped.push({ kid: typeof kid === 'string' ? kid : undefined, reason: error.message });
    }
  }
  // Thumbprint kids are computed after import; they must be unique too.
  const kids = new Set<string>();
  for (const key of keys) {
    if (kids.has(key.kid)) throw new GatehouseError('keyset_rejected', `JWK Set refused: duplicate kid ${JSON.stringify(key.kid)}`);
    kids.add(key.kid);
  }
  return { keys, skipped };
}
