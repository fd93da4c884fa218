import { parseCompactJws, refuse, type CompactLimits, type JoseHeader, type ParsedCompactJws, type Refusal } from './compact.ts';
import type { TrustedKey } from './trusted-key.ts';

/** Rule 2 and the signature: the header's `alg` must be the key's own, then the signature must verify. */
export function checkSignature(jws: ParsedCompactJws, key: TrustedKey): Refusal | undefined {
  if (jws.header.alg !== key.alg) {
    return refuse('alg_not_allowed', `header "alg" ${JSON.stringify(jws.header.alg)} is not ${key.alg}, the algorithm of key ${key.kid}`);
  }
  if (!key.verify(jws.signingInput, jws.signature)) return refuse('bad_signature', `signature does not verify with key ${key.kid}`);
  return undefined;
}

export type JwsVerifyResult =
  | { readonly ok: true; readonly header: JoseHeader; readonly payload: Buffer; readonly key: TrustedKey }
  | (Refusal & { readonly header?: JoseHeader });

/**
 * Verifies a compact JWS with any payload (not only a JWT): structure, header rules, key by `kid`,
 * algorithm from the key, signature. The JWT verifier builds on the same steps.
 */
export function verifyCompactJws(token: unknown, resolveKey: (kid: string) => TrustedKey | undefined, limits?: CompactLimits): JwsVerifyResult {
  const jws = parseCompactJws(token, limits);
  if (!jws.ok) return jws;
  const { header } = jws;
  const key = header.kid === undefined ? undefined : resolveKey(header.kid);
  if (key === undefined) return { ...refuse('unknown_kid', header.kid === undefined ? 'header has no "kid"' : `no trusted key has kid ${JSON.stringify(header.kid)}`), header };
  const refused = checkSignature(jws, key);
  if (refused !== undefined) return { ...refused, header };
  return { ok: true, header, payload: jws.payload, key };
}
