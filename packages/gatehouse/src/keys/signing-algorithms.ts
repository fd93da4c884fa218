/** The algorithms Gatehouse signs with (DESIGN.md "Tokens"). Verifiers accept more; we issue these. */
export const SIGNING_ALGORITHMS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const;

export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export const DEFAULT_SIGNING_ALGORITHM: SigningAlgorithm = 'ES256';

/**
 * RSA modulus for RS256/PS256 keys. 2048 bits (≈112-bit strength, NIST SP 800-57 acceptable
 * through 2030) is ample for a key that signs for one rotation period and whose tokens live at
 * most an hour; 3072 would cost about 3× per signature and 2× per verification on the gateway's
 * hot path for no protection those lifetimes need. Verifiers refuse anything smaller.
 */
export const RSA_MODULUS_BITS = 2048;

export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === 'string' && (SIGNING_ALGORITHMS as readonly string[]).includes(value);
}
