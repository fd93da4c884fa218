/**
 * Shared by the token-half tests (token endpoint, userinfo, revocation, introspection): form
 * requests over real HTTP, client credentials, PKCE, and authorization codes inserted straight
 * into the store the way the authorization endpoint stores them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createVerifier, type TokenVerifier } from '@gatehouse/verify';
import { decodeJwt } from 'jose';
import { generateOpaqueToken, hashOpaqueToken } from '../../src/issuer/tokens/opaque-token.ts';
import { REDIRECT_URI, TEST_SECRETS, type IssuerHarness } from '../support/issuer-harness.ts';

export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, or the raw text when the body is not JSON (empty for RFC 7009 answers). */
  readonly body: any;
}

export type FormFields = Readonly<Record<string, string | readonly string[] | undefined>>;

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before the Basic encoding. */
export function basic(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

export const BILLING_BASIC = basic('billing-svc', TEST_SECRETS.billing);
export const PORTAL_BASIC = basic('portal', TEST_SECRETS.portal);
export const RESOURCE_SERVER_BASIC = basic('resource-server', TEST_SECRETS.resourceServer);

export async function postForm(url: string, fields: FormFields, headers: Record<string, string> = {}): Promise<HttpResult> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const one of typeof value === 'string' ? [value] : value) body.append(name, one);
  }
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  return readResult(response);
}

export async function readResult(response: Response): Promise<HttpResult> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body };
}

export function tokenUrl(issuer: IssuerHarness): string {
  return issuer.services.urls.token;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface CodeOptions {
  readonly clientId?: string;
  readonly userId: string;
  readonly scope?: string;
  readonly audience?: string | null;
  readonly nonce?: string | null;
  readonly redirectUri?: string;
  readonly challenge?: string;
  readonly authTime?: number;
  readonly ttlMs?: number;
}

export interface IssuedCode {
  readonly code: string;
  readonly verifier: string;
}

/** An authorization code as the authorization endpoint would store it (hashed with hashOpaqueToken). */
export async function insertCode(issuer: IssuerHarness, options: CodeOptions): Promise<IssuedCode> {
  const now = issuer.services.clock();
  const code = generateOpaqueToken();
  const pkce = pkcePair();
  await issuer.services.store.authorizationCodes.insert({
    codeHash: hashOpaqueToken(code),
    clientId: options.clientId ?? 'web',
    userId: options.userId,
    redirectUri: options.redirectUri ?? REDIRECT_URI,
    scope: options.scope ?? 'openid profile orders:read',
    audience: options.audience === undefined ? null : options.audience,
    codeChallenge: options.challenge ?? pkce.challenge,
    nonce: options.nonce === undefined ? 'n-0S6_WzA2Mj' : options.nonce,
    authTime: options.authTime ?? now - 1000,
    createdAt: now,
    expiresAt: now + (options.ttlMs ?? 60_000),
  });
  return { code, verifier: pkce.verifier };
}

/** The client half of a token request: public clients by client_id, confidential ones with Basic. */
export function clientAuth(clientId: string): { fields: FormFields; headers: Record<string, string> } {
  switch (clientId) {
    case 'portal':
      return { fields: {}, headers: { authorization: PORTAL_BASIC } };
    case 'billing-svc':
      return { fields: {}, headers: { authorization: BILLING_BASIC } };
    case 'resource-server':
      return { fields: {}, headers: { authorization: RESOURCE_SERVER_BASIC } };
    default:
      return { fields: { client_id: clientId }, headers: {} };
  }
}

/** Redeems a code at the token endpoint. */
export async function redeemCode(issuer: IssuerHarness, issued: IssuedCode, clientId = 'web', extra: FormFields = {}): Promise<HttpResult> {
  const auth = clientAuth(clientId);
  return postForm(tokenUrl(issuer), { grant_type: 'authorization_code', code: issued.code, redirect_uri: REDIRECT_URI, code_verifier: issued.verifier, ...auth.fields, ...extra }, auth.headers);
}

/** A person signed in at `clientId`: a code inserted and redeemed. Throws unless the exchange succeeds. */
export async function signIn(issuer: IssuerHarness, options: CodeOptions & { extra?: FormFields }): Promise<any> {
  const clientId = options.clientId ?? 'web';
  const result = await redeemCode(issuer, await insertCode(issuer, options), clientId, options.extra);
  if (result.status !== 200) throw new Error(`sign-in failed: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body;
}

export async function refresh(issuer: IssuerHarness, refreshToken: string, clientId = 'web', extra: FormFields = {}): Promise<HttpResult> {
  const auth = clientAuth(clientId);
  return postForm(tokenUrl(issuer), { grant_type: 'refresh_token', refresh_token: refreshToken, ...auth.fields, ...extra }, auth.headers);
}

/** An in-process verifier as the gateway builds it: the issuer's key set and revocation lists. */
export function inProcessVerifier(issuer: IssuerHarness, audience: string): TokenVerifier {
  const { services } = issuer;
  return createVerifier({
    issuers: { issuer: services.config.issuer, keys: services.keys.keySet },
    audience,
    clock: services.clock,
    isRevoked: services.revocations.isRevoked,
  });
}

export function claimsOf(token: string): Record<string, any> {
  return decodeJwt(token) as Record<string, any>;
}

/** A clock tests move by hand (idle and absolute expiry). */
export function manualClock(start = Date.now()): { now: () => number; advance(ms: number): void } {
  let current = start;
  return { now: () => current, advance: (ms) => { current += ms; } };
}
