import { constants, createHmac, timingSafeEqual, verify as cryptoVerify, type KeyObject } from 'node:crypto';

/**
 * The JWS algorithms we verify (RFC 7518 §3, RFC 8037 for EdDSA), and for each one the single
 * node:crypto call that checks it. A verify function is prepared once per key, so the hot path is
 * one synchronous native call with no option objects built per request.
 */
export const ALGORITHMS = {
  ES256: { kty: 'EC', crv: 'P-256', hash: 'sha256' },
  ES384: { kty: 'EC', crv: 'P-384', hash: 'sha384' },
  ES512: { kty: 'EC', crv: 'P-521', hash: 'sha512' },
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256' },
  PS384: { kty: 'RSA', hash: 'sha384' },
  PS512: { kty: 'RSA', hash: 'sha512' },
  EdDSA: { kty: 'OKP', hash: null },
  HS256: { kty: 'oct', hash: 'sha256' },
  HS384: { kty: 'oct', hash: 'sha384' },
  HS512: { kty: 'oct', hash: 'sha512' },
} as const satisfies Record<string, { kty: 'EC' | 'RSA' | 'OKP' | 'oct'; crv?: string; hash: string | null }>;

export type Algorithm = keyof typeof ALGORITHMS;
export type KeyType = (typeof ALGORITHMS)[Algorithm]['kty'];

export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === 'string' && Object.hasOwn(ALGORITHMS, value);
}

export type SignatureCheck = (data: Uint8Array, signature: Uint8Array) => boolean;

const HASH_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const;
const EC_SIGNATURE_BYTES: Record<string, number> = { 'P-256': 64, 'P-384': 96, 'P-521': 132 };
const EDDSA_SIGNATURE_BYTES: Record<string, number> = { ed25519: 64, ed448: 114 };

/**
 * Builds the signature check for `alg` over a key that has already been validated for it.
 * Signature length is checked first: JWS fixes it exactly for every algorithm (r‖s for ECDSA, the
 * modulus length for RSA), which refuses DER-encoded ECDSA signatures and padded RSA ones.
 * OpenSSL refuses some malformed inputs by throwing; for us that is a bad signature.
 */
export function prepareSignatureCheck(alg: Algorithm, key: KeyObject): SignatureCheck {
  const spec = ALGORITHMS[alg];
  switch (spec.kty) {
    case 'EC': {
      const length = EC_SIGNATURE_BYTES[spec.crv]!;
      const options = { key, dsaEncoding: 'ieee-p1363' as const };
      return (data, signature) => {
        if (signature.length !== length) return false;
        try { return cryptoVerify(spec.hash, data, options, signature); } catch { return false; }
      };
    }
    case 'RSA': {
      const length = (key.asymmetricKeyDetails?.modulusLength ?? 0) + 7 >> 3;
      const options = alg.startsWith('PS')
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[spec.hash] }
        : { key, padding: constants.RSA_PKCS1_PADDING };
      return (data, signature) => {
        if (signature.length !== length) return false;
        try { return cryptoVerify(spec.hash, data, options, signature); } catch { return false; }
      };
    }
    case 'OKP': {
      const length = EDDSA_SIGNATURE_BYTES[key.asymmetricKeyType ?? ''] ?? -1;
      return (data, signature) => {
        if (signature.length !== length) return false;
        try { return cryptoVerify(null, data, key, signature); } catch { return false; }
      };
    }
    case 'oct': {
      const length = HASH_BYTES[spec.hash];
      return (data, signature) => {
        if (signature.length !== length) return false;
        const mac = createHmac(spec.hash, key).update(data).digest();
        return timingSafeEqual(mac, signature);
      };
    }
  }
}
