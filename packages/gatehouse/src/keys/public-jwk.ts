import type { PublicSigningJwk } from './key-record.ts';
import type { SigningAlgorithm } from './signing-algorithms.ts';

/** The members that define a public key, per key type (RFC 7518 §6). */
const PUBLIC_MEMBERS = { EC: ['crv', 'x', 'y'], RSA: ['n', 'e'], OKP: ['crv', 'x'] } as const;

/**
 * Builds a publishable JWK from exactly the public members of `source`, plus kid, alg and use. Whatever
 * else the source carries (a private `d`, WebCrypto's `key_ops` and `ext`) is left behind: this is
 * the one place a JWK for publication is made.
 */
export function publicSigningJwk(source: object, kid: string, alg: SigningAlgorithm): PublicSigningJwk {
  const jwk = source as Readonly<Record<string, unknown>>;
  const kty = jwk.kty;
  if (typeof kty !== 'string' || !Object.hasOwn(PUBLIC_MEMBERS, kty)) throw new TypeError(`unexpected key type ${String(kty)}`);
  const names = PUBLIC_MEMBERS[kty as keyof typeof PUBLIC_MEMBERS];
  const members: Record<string, string> = { kty };
  for (const name of names) {
    const value = jwk[name];
    if (typeof value !== 'string') throw new TypeError(`JWK member "${name}" must be a string`);
    members[name] = value;
  }
  return Object.freeze({ ...members, kid, alg, use: 'sig' }) as PublicSigningJwk;
}
