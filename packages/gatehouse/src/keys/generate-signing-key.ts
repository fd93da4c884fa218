import type { KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, type GenerateKeyPairOptions } from 'jose';
import type { NewSigningKey } from './key-record.ts';
import { publicSigningJwk } from './public-jwk.ts';
import { sealPrivateKey } from './sealed-private-key.ts';
import { RSA_MODULUS_BITS, type SigningAlgorithm } from './signing-algorithms.ts';

const GENERATION_OPTIONS: Record<SigningAlgorithm, GenerateKeyPairOptions> = {
  ES256: {},
  RS256: { modulusLength: RSA_MODULUS_BITS },
  PS256: { modulusLength: RSA_MODULUS_BITS },
  EdDSA: { crv: 'Ed25519' },
};

/**
 * Generates a key pair for `alg` and seals its private half at once, so the private key never
 * leaves this function in the clear. The kid is the RFC 7638 thumbprint of the public key.
 */
export async function generateSigningKey(alg: SigningAlgorithm, masterKey: KeyObject): Promise<NewSigningKey> {
  // Extractable only so that the private key can be exported once, to be sealed.
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...GENERATION_OPTIONS[alg] });
  const exported = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(exported, 'sha256');
  const publicJwk = publicSigningJwk(exported, kid, alg);
  const sealedPrivateKey = sealPrivateKey(await exportPKCS8(privateKey), kid, masterKey);
  return Object.freeze({ kid, alg, publicJwk, sealedPrivateKey });
}
