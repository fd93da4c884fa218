import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Client secrets are high-entropy (≥ 32 characters, 256 random bits when we generate them), so a
 * fast hash is enough to store them: there is nothing to brute-force, and client_credentials must
 * stay cheap. Stored as `sha256:<base64url>`; compared in constant time.
 */
const PREFIX = 'sha256:';

export function hashClientSecret(secret: string): string {
  return PREFIX + createHash('sha256').update(secret, 'utf8').digest('base64url');
}

export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function clientSecretMatches(storedHash: string, presented: string): boolean {
  const expected = Buffer.from(storedHash, 'utf8');
  const actual = Buffer.from(hashClientSecret(presented), 'utf8');
  // Both are fixed-length digests of the same format, so the comparison leaks nothing about the secret.
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
