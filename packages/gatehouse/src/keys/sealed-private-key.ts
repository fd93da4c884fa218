import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { decodeBase64url } from '@gatehouse/verify';
import { ServerError } from '../errors.ts';

const VERSION = 'v1';
const IV_BYTES = 12; // 96-bit nonce, the size GCM is specified for (NIST SP 800-38D §5.2.1.1)
const TAG_BYTES = 16;

/**
 * A private key encrypted under the master key: the envelope `v1.<iv>.<ciphertext>.<tag>`, each
 * part base64url. It prints as a placeholder (JSON, console.log, pino) so a record that reaches a
 * log never carries the blob; the store reads it with `envelope()`.
 */
export class SealedPrivateKey {
  readonly #envelope: string;

  constructor(envelope: string) {
    this.#envelope = envelope;
  }

  /** The envelope string, for the store only. */
  envelope(): string {
    return this.#envelope;
  }

  toJSON(): string {
    return '[sealed private key]';
  }

  toString(): string {
    return '[sealed private key]';
  }

  [inspect.custom](): string {
    return 'SealedPrivateKey [redacted]';
  }
}

/**
 * The additional authenticated data binds the ciphertext to its key id and envelope version, so
 * a blob copied onto another key record, or relabelled as another version, fails to open.
 */
function associatedData(kid: string): Buffer {
  return Buffer.from(`gatehouse:signing-key:${VERSION}:${kid}`, 'utf8');
}

export function assertMasterKey(masterKey: KeyObject): void {
  if (masterKey.type !== 'secret' || masterKey.symmetricKeySize !== 32) {
    throw new ServerError('master_key_invalid', 'the master key must be a 32-byte secret key');
  }
}

/** Encrypts a private key (PKCS#8 PEM) with AES-256-GCM under the master key, bound to `kid`. */
export function sealPrivateKey(plaintext: string, kid: string, masterKey: KeyObject): SealedPrivateKey {
  assertMasterKey(masterKey);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(kid));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return new SealedPrivateKey([VERSION, iv, ciphertext, tag].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.'));
}

/**
 * Opens a sealed private key. Every failure — unknown version, malformed envelope, wrong master
 * key, altered iv, ciphertext or tag, a blob that belongs to another kid — is key_unseal_failed,
 * and the message never says which: the difference would help nobody but an attacker.
 */
export function unsealPrivateKey(sealed: SealedPrivateKey, kid: string, masterKey: KeyObject): string {
  assertMasterKey(masterKey);
  const fail = (): never => {
    throw new ServerError('key_unseal_failed', `the private key of kid ${JSON.stringify(kid)} could not be unsealed`);
  };
  const parts = sealed.envelope().split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) fail();
  const [iv, ciphertext, tag] = parts.slice(1).map((part) => decodeBase64url(part));
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || ciphertext === undefined || ciphertext.length === 0) fail();
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, iv!, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(kid));
    decipher.setAuthTag(tag!);
    return Buffer.concat([decipher.update(ciphertext!), decipher.final()]).toString('utf8');
  } catch {
    return fail();
  }
}
