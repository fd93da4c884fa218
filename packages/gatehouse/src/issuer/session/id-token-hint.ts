import { normalizeTyp, parseJsonObject, verifyCompactJws } from '@gatehouse/verify';
import type { IssuerServices } from '../issuer-services.ts';

/** What a verified id_token_hint tells the sign-out endpoint. */
export interface IdTokenHint {
  readonly sub: string;
  /** The client the ID token was issued to (`azp`, or its single `aud`). */
  readonly clientId: string;
  /** The refresh-token family of the sign-in it came from, when the token endpoint set one. */
  readonly sid: string | null;
}

/**
 * Verifies an id_token_hint (OpenID Connect RP-Initiated Logout §2): one of our ID tokens, signed
 * by one of our published keys (same strict parsing as every verifier), `typ` JWT or absent (an
 * access token, `at+jwt`, is not an ID token), `iss` ours. It may have expired: the relying party
 * often signs the person out long after the ID token's short life.
 */
export function verifyIdTokenHint(services: IssuerServices, token: string): IdTokenHint | undefined {
  const verified = verifyCompactJws(token, (kid) => services.keys.keySet.getKey(kid));
  if (!verified.ok) return undefined;
  const { typ } = verified.header;
  if (typ !== undefined && (typeof typ !== 'string' || normalizeTyp(typ) !== 'jwt')) return undefined;
  const parsed = parseJsonObject(verified.payload);
  if (!parsed.ok) return undefined;
  const { iss, sub, aud, azp, sid, exp } = parsed.value;
  if (iss !== services.config.issuer || typeof sub !== 'string' || sub === '' || typeof exp !== 'number') return undefined;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) && aud.every((entry) => typeof entry === 'string') ? (aud as string[]) : [];
  const clientId = typeof azp === 'string' ? azp : audiences.length === 1 ? audiences[0] : undefined;
  if (clientId === undefined || clientId === '' || !audiences.includes(clientId)) return undefined;
  if (sid !== undefined && (typeof sid !== 'string' || sid === '')) return undefined;
  return { sub, clientId, sid: sid ?? null };
}
