import { parseCompactJws, parseJsonObject } from '@gatehouse/verify';
import type { RespondVerdict } from '../forward/index.ts';
import type { GatewayAudit } from '../pipeline/gateway-audit.ts';
import type { BrowserSessionReason } from './browser-session-reasons.ts';

export type SessionVerdict = RespondVerdict<GatewayAudit>;

/** Who a session response is about, for the decision line: from a token the issuer just issued, or a refresh family. */
export interface SessionFacts {
  readonly sub: string | null;
  readonly clientId: string | null;
  readonly jti: string | null;
  readonly kid: string | null;
}

export const NO_FACTS: SessionFacts = Object.freeze({ sub: null, clientId: null, jti: null, kid: null });

/** The decision line of a browser-session endpoint: no route (these are the gateway's own paths), no rule. */
export function sessionAudit(decision: 'allow' | 'deny', reason: BrowserSessionReason | 'origin_mismatch' | 'anomaly_blocked' | 'no_route' | 'method_not_allowed', facts: SessionFacts = NO_FACTS): GatewayAudit {
  return { ...facts, route: null, decision, reason, ruleId: null };
}

/**
 * A redirect that may set cookies. Never cached (RFC 9111 §5.2.2.5 no-store): a response carrying
 * a session's cookies must not be kept by a shared cache and handed to someone else.
 */
export function redirectVerdict(status: 302 | 303, location: string, cookies: readonly string[], audit: GatewayAudit): SessionVerdict {
  const headers: Record<string, string | readonly string[]> = { location, 'cache-control': 'no-store' };
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  return { kind: 'respond', status, headers, audit };
}

const FAILURE_PAGE = Buffer.from(
  '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Sign-in failed</title></head>' +
    '<body><h1>Sign-in could not be completed</h1><p><a href="/">Start again</a></p></body></html>\n',
);
const FAILURE_HEADERS = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
});

/** Every failed callback looks the same on the wire: one fixed 400 page. The reason is in the decision line only. */
export function callbackFailure(reason: BrowserSessionReason): SessionVerdict {
  return { kind: 'respond', status: 400, headers: FAILURE_HEADERS, body: FAILURE_PAGE, audit: sessionAudit('deny', reason) };
}

/**
 * The decision-line facts of an access token the issuer has just handed over in process: not
 * verified again (it did not cross a network or a trust boundary), only read.
 */
export function accessTokenFacts(token: string): SessionFacts {
  const parsed = parseCompactJws(token);
  if (!parsed.ok) return NO_FACTS;
  const claims = parseJsonObject(parsed.payload);
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  return {
    sub: claims.ok ? text(claims.value.sub) : null,
    clientId: claims.ok ? text(claims.value.client_id) : null,
    jti: claims.ok ? text(claims.value.jti) : null,
    kid: text(parsed.header.kid),
  };
}

/** A claim of a JWT the issuer has just handed over in process (read, not verified: see accessTokenFacts). */
export function claimOf(token: string, name: string): unknown {
  const parsed = parseCompactJws(token);
  if (!parsed.ok) return undefined;
  const claims = parseJsonObject(parsed.payload);
  return claims.ok && Object.hasOwn(claims.value, name) ? claims.value[name] : undefined;
}
