import type { RegisteredClient } from '../clients/client-registry.ts';
import { redirectUriRegistered } from '../clients/redirect-uri-match.ts';
import type { OAuthErrorCode } from '../oauth-error.ts';
import type { PageErrorCode } from './page-errors.ts';
import { readParameter, singleParameter, type RawParameters } from './request-parameters.ts';
import { SCOPE_TOKEN } from '../../tokens/scope-token.ts';

/**
 * The authorization request (OAuth 2.1 §4.1.1, OpenID Connect Core §3.1.2.1, RFC 7636, RFC 8707),
 * checked once, at /oauth2/authorize. What passes becomes an AuthorizationRequest, which travels
 * MAC'd through the sign-in page and ends up in the authorization code; nothing there re-reads the
 * raw parameters.
 */
export interface AuthorizationRequest {
  readonly clientId: string;
  /** Exactly one of the client's registered redirect URIs. */
  readonly redirectUri: string;
  /** Space-separated, each one of the client's scopes, duplicates removed; '' when none asked. */
  readonly scope: string;
  readonly state: string | null;
  readonly nonce: string | null;
  /** PKCE S256 challenge: base64url of a SHA-256, 43 characters. */
  readonly codeChallenge: string;
  /** The `resource` asked for, or the client's only audience, or null (the token endpoint decides). */
  readonly audience: string | null;
  /** Pre-fills the username field. */
  readonly loginHint: string | null;
}

export interface AuthorizationPrompt {
  /** prompt=none: answer from the session or fail with login_required; never show a page. */
  readonly none: boolean;
  /** prompt=login: ask for the password even with a session. */
  readonly login: boolean;
  /** max_age: a session older than this (seconds since auth_time) asks for the password again. */
  readonly maxAgeSeconds: number | null;
}

/**
 * The codes an authorization error response carries (RFC 6749 §4.1.2.1, RFC 8707 §2, OpenID
 * Connect Core §3.1.2.6, including the two it adds for request objects, which we do not support).
 */
export type AuthorizationErrorCode = Extract<
  OAuthErrorCode,
  | 'invalid_request' | 'unauthorized_client' | 'access_denied' | 'unsupported_response_type' | 'invalid_scope' | 'server_error'
  | 'temporarily_unavailable' | 'invalid_target' | 'login_required' | 'request_not_supported' | 'request_uri_not_supported'
>;

/** Generic on purpose: the description goes into the client's URL; the reason goes to the log. */
export const AUTHORIZATION_ERROR_DESCRIPTIONS: Readonly<Record<AuthorizationErrorCode, string>> = {
  invalid_request: 'the authorization request is invalid',
  unauthorized_client: 'the client may not use the authorization code flow',
  access_denied: 'the request was denied',
  unsupported_response_type: 'only response_type=code is supported',
  invalid_scope: 'the requested scope is not allowed for this client',
  server_error: 'the server could not complete the request',
  temporarily_unavailable: 'the server is temporarily unavailable',
  invalid_target: 'the requested resource is not allowed for this client',
  login_required: 'the user must sign in',
  request_not_supported: 'the request parameter is not supported',
  request_uri_not_supported: 'the request_uri parameter is not supported',
};

/**
 * Errors that must not be redirected (RFC 6749 §4.1.2.1): with no trustworthy client or redirect
 * URI, redirecting would make the issuer an open redirector. The person sees a page instead, so
 * these are page error codes.
 */
export type UnredirectableError = Extract<PageErrorCode, 'invalid_client' | 'invalid_redirect_uri'>;

export type CheckedAuthorizationRequest =
  | { readonly kind: 'valid'; readonly request: AuthorizationRequest; readonly prompt: AuthorizationPrompt }
  | { readonly kind: 'unredirectable'; readonly error: UnredirectableError; readonly reason: string }
  | { readonly kind: 'redirect'; readonly redirectUri: string; readonly state: string | null; readonly error: AuthorizationErrorCode; readonly reason: string };

const PARAMETERS = ['client_id', 'redirect_uri', 'response_type', 'response_mode', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'resource', 'prompt', 'max_age', 'login_hint'] as const;
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** RFC 6749 Appendix A: state is visible ASCII and spaces. */
const VSCHAR = /^[\x20-\x7E]+$/;
const MAX_STATE_LENGTH = 2048;
const MAX_NONCE_LENGTH = 512;
const MAX_LOGIN_HINT_LENGTH = 256;
const PROMPT_VALUES = new Set(['none', 'login', 'consent', 'select_account']);

export async function checkAuthorizationRequest(params: RawParameters, findClient: (id: string) => Promise<RegisteredClient | undefined>): Promise<CheckedAuthorizationRequest> {
  const clientId = readParameter(params, 'client_id');
  if (clientId.kind !== 'one') return { kind: 'unredirectable', error: 'invalid_client', reason: `client_id is ${clientId.kind}` };
  const client = await findClient(clientId.value);
  if (client === undefined) return { kind: 'unredirectable', error: 'invalid_client', reason: 'unknown client_id' };
  const redirect = readParameter(params, 'redirect_uri');
  if (redirect.kind !== 'one') return { kind: 'unredirectable', error: 'invalid_redirect_uri', reason: `redirect_uri is ${redirect.kind}` };
  // Exact string comparison (OAuth 2.1 §2.3.1): no prefix, no normalization, no wildcard (loopback ports aside: redirect-uri-match.ts).
  if (!redirectUriRegistered(client, redirect.value)) return { kind: 'unredirectable', error: 'invalid_redirect_uri', reason: 'redirect_uri is not registered for the client' };
  const redirectUri = redirect.value;

  // From here on errors go back to the client. `state` is echoed only if it is well-formed.
  const stateParameter = readParameter(params, 'state');
  const state = stateParameter.kind === 'one' && stateParameter.value.length <= MAX_STATE_LENGTH && VSCHAR.test(stateParameter.value) ? stateParameter.value : null;
  const fail = (error: AuthorizationErrorCode, reason: string): CheckedAuthorizationRequest => ({ kind: 'redirect', redirectUri, state, error, reason });

  if (readParameter(params, 'request').kind !== 'absent') return fail('request_not_supported', 'request objects are not supported');
  if (readParameter(params, 'request_uri').kind !== 'absent') return fail('request_uri_not_supported', 'request objects are not supported');
  for (const name of PARAMETERS) {
    // resource may legitimately repeat (RFC 8707); it gets its own answer below.
    if (name !== 'resource' && readParameter(params, name).kind === 'repeated') return fail('invalid_request', `${name} is repeated`);
  }
  if (stateParameter.kind === 'one' && state === null) return fail('invalid_request', 'state is too long or not visible ASCII');

  const responseType = readParameter(params, 'response_type');
  if (responseType.kind !== 'one') return fail('invalid_request', 'response_type is missing');
  // Only the code flow: `token` and `id_token` (implicit) and every hybrid are refused.
  if (responseType.value !== 'code') return fail('unsupported_response_type', `response_type ${JSON.stringify(responseType.value)}`);
  if (!client.grants.includes('authorization_code')) return fail('unauthorized_client', 'the client lacks the authorization_code grant');
  const responseMode = singleParameter(params, 'response_mode');
  if (responseMode !== null && responseMode !== 'query') return fail('invalid_request', 'only response_mode=query is supported');

  // PKCE is mandatory, and only S256 (OAuth 2.1 §4.1.1): a missing method would mean `plain`.
  const challenge = singleParameter(params, 'code_challenge');
  const method = singleParameter(params, 'code_challenge_method');
  if (challenge === null) return fail('invalid_request', 'code_challenge is missing');
  if (method !== 'S256') return fail('invalid_request', method === null ? 'code_challenge_method is missing' : `code_challenge_method ${JSON.stringify(method)} is not S256`);
  if (!S256_CHALLENGE.test(challenge)) return fail('invalid_request', 'code_challenge is not 43 base64url characters');

  const scopes: string[] = [];
  for (const scope of (singleParameter(params, 'scope') ?? '').split(' ')) {
    if (scope === '' || scopes.includes(scope)) continue;
    if (!SCOPE_TOKEN.test(scope) || !client.scopes.includes(scope)) return fail('invalid_scope', `scope ${JSON.stringify(scope)} is not allowed`);
    scopes.push(scope);
  }

  const resource = readParameter(params, 'resource');
  if (resource.kind === 'repeated') return fail('invalid_target', 'one resource at most');
  if (resource.kind === 'one' && !client.audiences.includes(resource.value)) return fail('invalid_target', 'resource is not one of the client audiences');
  const audience = resource.kind === 'one' ? resource.value : client.audiences.length === 1 ? client.audiences[0]! : null;

  const nonce = singleParameter(params, 'nonce');
  if (nonce !== null && nonce.length > MAX_NONCE_LENGTH) return fail('invalid_request', 'nonce is too long');
  const loginHint = singleParameter(params, 'login_hint');
  if (loginHint !== null && loginHint.length > MAX_LOGIN_HINT_LENGTH) return fail('invalid_request', 'login_hint is too long');

  const promptValues = (singleParameter(params, 'prompt') ?? '').split(' ').filter((value) => value !== '');
  if (!promptValues.every((value) => PROMPT_VALUES.has(value))) return fail('invalid_request', 'unknown prompt value');
  // OpenID Connect Core §3.1.2.1: none cannot be combined with anything else.
  if (promptValues.includes('none') && promptValues.length > 1) return fail('invalid_request', 'prompt=none combined with another value');
  const maxAgeText = singleParameter(params, 'max_age');
  if (maxAgeText !== null && !/^\d{1,9}$/.test(maxAgeText)) return fail('invalid_request', 'max_age is not a non-negative integer');

  return {
    kind: 'valid',
    request: { clientId: client.id, redirectUri, scope: scopes.join(' '), state, nonce, codeChallenge: challenge, audience, loginHint },
    // consent and select_account need no page here: the issuer's clients are first-party and a
    // browser holds one session at a time.
    prompt: { none: promptValues.includes('none'), login: promptValues.includes('login'), maxAgeSeconds: maxAgeText === null ? null : Number(maxAgeText) },
  };
}

/**
 * Re-checks a request that waited on the sign-in page (up to the transaction's 10 minutes)
 * against the client as it is now: the client may have been removed or narrowed meanwhile.
 */
export function clientStillAllows(client: RegisteredClient | undefined, request: AuthorizationRequest): client is RegisteredClient {
  return (
    client !== undefined &&
    client.grants.includes('authorization_code') &&
    redirectUriRegistered(client, request.redirectUri) &&
    request.scope.split(' ').every((scope) => scope === '' || client.scopes.includes(scope)) &&
    (request.audience === null || client.audiences.includes(request.audience))
  );
}
