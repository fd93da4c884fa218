import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, importPKCS8, type CryptoKey, type JWK } from 'jose';
import { ServerError } from '../errors.ts';
import type { KeyRecord } from './key-record.ts';
import { unsealPrivateKey } from './sealed-private-key.ts';
import type { SigningAlgorithm } from './signing-algorithms.ts';

/**
 * A private key ready to sign. The CryptoKey is not extractable: nothing that holds it can export
 * the key material, and it prints without it.
 */
export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: CryptoKey;
}

/** Something that hands out the current signing key (KeyManager); the access-token minter needs only this. */
export interface SigningKeySource {
  /** Throws no_signing_key when there is none. */
  signingKey(): SigningKey;
}

/** Unseals a record's private key for signing. Throws key_unseal_failed. */
export async function unsealSigningKey(record: KeyRecord, masterKey: KeyObject): Promise<SigningKey> {
  const pkcs8 = unsealPrivateKey(record.sealedPrivateKey, record.kid, masterKey);
  const fail = (cause?: unknown): never => {
    throw new ServerError('key_unseal_failed', `the private key of kid ${JSON.stringify(record.kid)} does not open as a ${record.alg} key for that kid`, { cause });
  };
  let privateKey: CryptoKey;
  try {
    // Defence in depth besides the AAD binding: the key inside must be the one the kid names.
    const publicJwk = createPublicKey(createPrivateKey(pkcs8)).export({ format: 'jwk' });
    if ((await calculateJwkThumbprint(publicJwk as JWK, 'sha256')) !== record.kid) fail();
    privateKey = await importPKCS8(pkcs8, record.alg, { extractable: false });
  } catch (cause) {
    if (cause instanceof ServerError) throw cause;
    return fail(cause);
  }
  return Object.freeze({ kid: record.kid, alg: record.alg, privateKey });
}
