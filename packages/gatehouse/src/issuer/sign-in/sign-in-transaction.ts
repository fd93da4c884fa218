import type { IssuerServices } from '../issuer-services.ts';
import { openSignedValue, signValue } from '../session/signed-value.ts';
import type { AuthorizationRequest } from './authorization-request.ts';

/**
 * The validated authorization request, carried by the sign-in page in a hidden field (and in its
 * URL) instead of in server memory: MAC'd under the cookie key, so it cannot be altered on the
 * way, and valid for 10 minutes, so an abandoned form does not stay usable.
 */
export const SIGN_IN_TRANSACTION_TTL_MS = 10 * 60 * 1000;

export type OpenedTransaction =
  | { readonly ok: true; readonly request: AuthorizationRequest }
  | { readonly ok: false; readonly error: 'transaction_invalid' | 'transaction_expired' };

export function sealTransaction(services: IssuerServices, request: AuthorizationRequest): string {
  const payload = {
    c: request.clientId,
    r: request.redirectUri,
    s: request.scope,
    st: request.state,
    n: request.nonce,
    cc: request.codeChallenge,
    a: request.audience,
    lh: request.loginHint,
  };
  return signValue(services.cookieKey, 'signin-transaction', payload, services.clock() + SIGN_IN_TRANSACTION_TTL_MS);
}

export function openTransaction(services: IssuerServices, value: unknown): OpenedTransaction {
  const opened = openSignedValue(services.cookieKey, 'signin-transaction', value, services.clock());
  if (!opened.ok) return { ok: false, error: opened.reason === 'expired' ? 'transaction_expired' : 'transaction_invalid' };
  const { c, r, s, st, n, cc, a, lh } = opened.payload;
  const text = (v: unknown): v is string => typeof v === 'string';
  const textOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
  if (!text(c) || !text(r) || !text(s) || !text(cc) || !textOrNull(st) || !textOrNull(n) || !textOrNull(a) || !textOrNull(lh)) return { ok: false, error: 'transaction_invalid' };
  return { ok: true, request: { clientId: c, redirectUri: r, scope: s, state: st, nonce: n, codeChallenge: cc, audience: a, loginHint: lh } };
}
