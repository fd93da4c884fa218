import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { decodeBase64url, parseJsonObject } from '@gatehouse/verify';

const VERSION = 'v1';
const IV_BYTES = 12; // 96-bit nonce, the size GCM is specified for (NIST SP 800-38D §5.2.1.1)
const TAG_BYTES = 16;
/** Checked before any decoding: a cookie value this long was not made here. */
const MAX_SEALED_LENGTH = 4096;

/**
 * A value the gateway hands the browser to get back unchanged and unread: encrypted and
 * authenticated with AES-256-GCM, as `v1.<iv>.<ciphertext>.<tag>` (each part base64url, which
 * needs no quoting in a cookie). Encrypted, not only MAC'd, because what it carries (a PKCE
 * verifier, a nonce) must stay secret even from a script or extension that reads cookies.
 */
export interface CookieSealer {
  seal(payload: Readonly<Record<string, unknown>>): string;
  /** The payload, or undefined for anything that does not open (malformed, altered, another key or label). */
  open(value: string): Readonly<Record<string, unknown>> | undefined;
}

/**
 * The key is derived from `secret` (the issuer's cookieKey) with HKDF-SHA256 under `label`, so it
 * is stable across restarts and replicas and differs from every other key made from the same
 * secret. The label is also the additional authenticated data: a value sealed for one purpose
 * never opens as another. A fresh random IV per value; with 96-bit IVs, GCM stays far within its
 * limits at any realistic number of sign-ins per key.
 */
export function createCookieSealer(secret: Buffer, label: string): CookieSealer {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), label, 32));
  const associatedData = Buffer.from(label, 'utf8');
  return {
    seal(payload) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(associatedData);
      const ciphertext = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(value) {
      if (value.length > MAX_SEALED_LENGTH) return undefined;
      const parts = value.split('.');
      if (parts.length !== 4 || parts[0] !== VERSION) return undefined;
      const [iv, ciphertext, tag] = parts.slice(1).map((part) => decodeBase64url(part));
      if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || ciphertext === undefined || ciphertext.length === 0) return undefined;
      let plaintext: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(associatedData);
        decipher.setAuthTag(tag);
        plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      } catch {
        return undefined;
      }
      const parsed = parseJsonObject(plaintext);
      return parsed.ok ? parsed.value : undefined;
    },
  };
}
