import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque credentials — refresh tokens and authorization codes: 256 random bits, base64url (43
 * characters). They are bearer secrets, so only their hash is stored; a read of the store yields
 * nothing that can be presented.
 */
export function generateOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The hash an opaque token is stored and looked up by: SHA-256, base64url. A fast hash is enough:
 * the input has 256 bits of entropy, there is nothing to brute-force. The authorization endpoint
 * stores codes with this function and the token endpoint looks them up with it.
 */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}
