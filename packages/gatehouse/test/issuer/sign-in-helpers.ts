/**
 * Shared by the interactive-half tests (authorize, sign-in, throttling, end session, users): a
 * browser played by hand over real HTTP — fetch keeps no cookies and follows no redirects here,
 * so every Set-Cookie and Location is visible to the test.
 */
import { REDIRECT_URI, type IssuerHarness } from '../support/issuer-harness.ts';
import { pkcePair } from './token-helpers.ts';

/** The cookies a browser would keep, by name; Max-Age=0 deletes. */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  absorb(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      if (/;\s*max-age=0(;|$)/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  header(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
  }

  clone(): CookieJar {
    const copy = new CookieJar();
    for (const [name, value] of this.cookies) copy.cookies.set(name, value);
    return copy;
  }
}

export const SESSION_COOKIE = '__Host-gatehouse-session';
export const CSRF_COOKIE = '__Host-gatehouse-csrf';

export async function browserGet(url: string, jar?: CookieJar): Promise<Response> {
  const response = await fetch(url, { redirect: 'manual', headers: jar?.header() ?? {} });
  jar?.absorb(response);
  return response;
}

export async function browserPost(url: string, fields: Readonly<Record<string, string | undefined>>, jar?: CookieJar): Promise<Response> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) body.append(name, value);
  const response = await fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(jar?.header() ?? {}) }, body });
  jar?.absorb(response);
  return response;
}

/** A valid authorization request for the `web` client, with a fresh PKCE pair. */
export function authorizationParameters(overrides: Readonly<Record<string, string | undefined>> = {}): { params: Record<string, string>; verifier: string } {
  const pkce = pkcePair();
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: 'web',
    redirect_uri: REDIRECT_URI,
    scope: 'openid orders:read',
    state: 'state-123',
    nonce: 'nonce-456',
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete params[name];
    else params[name] = value;
  }
  return { params, verifier: pkce.verifier };
}

export function authorizeUrl(issuer: IssuerHarness, params: Readonly<Record<string, string>>): string {
  return `${issuer.services.urls.authorize}?${new URLSearchParams(params)}`;
}

/** The query of a redirect to the client, or undefined when the response is no such redirect. */
export function clientRedirect(response: Response): URLSearchParams | undefined {
  const location = response.headers.get('location');
  if (location === null || !location.startsWith(`${REDIRECT_URI}?`)) return undefined;
  return new URL(location).searchParams;
}

/** The value of a form field in the page (hidden or not), HTML entities decoded. */
export function fieldValue(html: string, name: string): string | undefined {
  const input = new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0];
  const value = input === undefined ? undefined : /\bvalue="([^"]*)"/.exec(input)?.[1];
  return value?.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function pageErrorCode(html: string): string | undefined {
  return /<main [^>]*data-error-code="([^"]+)"/.exec(html)?.[1];
}

export function pageName(html: string): string | undefined {
  return /<main [^>]*data-page="([^"]+)"/.exec(html)?.[1];
}

export interface SignInForm {
  readonly url: string;
  readonly tx: string;
  readonly csrf: string;
  readonly html: string;
  readonly response: Response;
}

/** Follows an authorize response to the sign-in page and reads its form. */
export async function openSignInForm(authorizeResponse: Response, jar: CookieJar): Promise<SignInForm> {
  const location = authorizeResponse.headers.get('location');
  if (authorizeResponse.status !== 303 || location === null) throw new Error(`authorize answered ${authorizeResponse.status}, not a redirect to sign in`);
  const response = await browserGet(location, jar);
  const html = await response.text();
  const tx = fieldValue(html, 'tx');
  const csrf = fieldValue(html, 'csrf');
  if (response.status !== 200 || tx === undefined || csrf === undefined) throw new Error(`the sign-in page answered ${response.status}`);
  return { url: location, tx, csrf, html, response };
}

export function submitSignIn(issuer: IssuerHarness, form: SignInForm, username: string, password: string, jar: CookieJar): Promise<Response> {
  return browserPost(issuer.services.urls.signIn, { tx: form.tx, csrf: form.csrf, username, password }, jar);
}

/** authorize → sign-in page → form posted: the whole browser flow up to the client's redirect. */
export async function signInThroughBrowser(issuer: IssuerHarness, jar: CookieJar, username: string, password: string, overrides: Readonly<Record<string, string | undefined>> = {}): Promise<{ response: Response; verifier: string; params: Record<string, string> }> {
  const { params, verifier } = authorizationParameters(overrides);
  const form = await openSignInForm(await browserGet(authorizeUrl(issuer, params), jar), jar);
  return { response: await submitSignIn(issuer, form, username, password, jar), verifier, params };
}

/** Everything but the headers that differ per response whatever was asked (Date). */
export async function comparableResponse(response: Response): Promise<{ status: number; headers: [string, string][]; body: string }> {
  const headers = [...response.headers].filter(([name]) => name !== 'date' && name !== 'keep-alive' && name !== 'connection');
  return { status: response.status, headers, body: await response.text() };
}

export const PASSWORD = 'correct horse battery staple';
