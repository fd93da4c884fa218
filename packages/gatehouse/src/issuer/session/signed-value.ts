import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeBase64url, parseJsonObject } from '@gatehouse/verify';

/**
 * What the issuer hands the browser and takes back unchanged: the sign-in transaction, the session
 * cookie. `<base64url JSON>.<base64url HMAC-SHA256>`, MAC'd (not encrypted: nothing in them is
 * secret from the person who holds them) under a key derived per purpose, so a value made for one
 * purpose never opens as another. The server keeps no state per visitor.
 */
export type SignedValuePurpose = 'signin-transaction' | 'issuer-session';

/** Upper bound on what is read back, checked before any decoding or MAC work. */
const MAX_SIGNED_VALUE_LENGTH = 8192;

export type OpenedValue =
  | { readonly ok: true; readonly payload: Readonly<Record<string, unknown>>; readonly expiresAt: number }
  | { readonly ok: false; readonly reason: 'malformed' | 'bad_mac' | 'expired' };

function purposeKey(key: Buffer, purpose: SignedValuePurpose): Buffer {
  return createHmac('sha256', key).update(`gatehouse signed value: ${purpose}`).digest();
}

function mac(key: Buffer, purpose: SignedValuePurpose, body: string): Buffer {
  return createHmac('sha256', purposeKey(key, purpose)).update(body, 'latin1').digest();
}

/** `expiresAt` is epoch ms; it travels inside the MAC'd body as `exp`. */
export function signValue(key: Buffer, purpose: SignedValuePurpose, payload: Readonly<Record<string, unknown>>, expiresAt: number): string {
  const body = Buffer.from(JSON.stringify({ ...payload, exp: expiresAt }), 'utf8').toString('base64url');
  return `${body}.${mac(key, purpose, body).toString('base64url')}`;
}

export function openSignedValue(key: Buffer, purpose: SignedValuePurpose, value: unknown, now: number): OpenedValue {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_SIGNED_VALUE_LENGTH) return { ok: false, reason: 'malformed' };
  const dot = value.indexOf('.');
  if (dot <= 0 || value.indexOf('.', dot + 1) >= 0) return { ok: false, reason: 'malformed' };
  const body = value.slice(0, dot);
  const presented = decodeBase64url(value.slice(dot + 1));
  const bytes = decodeBase64url(body);
  if (presented === undefined || bytes === undefined) return { ok: false, reason: 'malformed' };
  const expected = mac(key, purpose, body);
  // The MAC is checked before the body is parsed: nothing an attacker wrote gets interpreted.
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return { ok: false, reason: 'bad_mac' };
  const parsed = parseJsonObject(bytes);
  if (!parsed.ok) return { ok: false, reason: 'malformed' };
  const { exp, ...payload } = parsed.value;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return { ok: false, reason: 'malformed' };
  if (exp <= now) return { ok: false, reason: 'expired' };
  return { ok: true, payload, expiresAt: exp };
}
