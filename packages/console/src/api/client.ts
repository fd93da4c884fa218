/**
 * The one way the console talks to the server: same-origin JSON under <base>/api, the session
 * cookie sent by the browser (HttpOnly: never seen here), every POST with the CSRF token the
 * session answer carried. A 401 means the session is gone: back to sign-in.
 */
import type { Session } from './types.ts';

const BASE = import.meta.env.BASE_URL; // '/console/'

export const LOGIN_URL = `${BASE}login`;

/** An answer other than 2xx, with the server's `{ error, message }`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

let csrfToken = '';

function toSignIn(): never {
  window.location.assign(LOGIN_URL);
  throw new ApiError(401, 'unauthenticated', 'signed out');
}

async function readAnswer<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown = null;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (response.ok) return body as T;
  const error = (body ?? {}) as { error?: unknown; message?: unknown };
  const code = typeof error.error === 'string' ? error.error : `http_${response.status}`;
  const message = typeof error.message === 'string' ? error.message : `${response.status} ${response.statusText}`.trim();
  throw new ApiError(response.status, code, message);
}

/** GET <base>/api/<path>. */
export async function apiGet<T>(path: string): Promise<T> {
  const response = await fetch(`${BASE}api/${path}`, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
  if (response.status === 401) toSignIn();
  return readAnswer<T>(response);
}

/** POST <base>/api/<path> with a JSON body and the CSRF header. */
export async function apiPost<T>(path: string, body: unknown = {}): Promise<T> {
  return post<T>(`${BASE}api/${path}`, body);
}

async function post<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrfToken },
    credentials: 'same-origin',
    body: JSON.stringify(body),
  });
  if (response.status === 401) toSignIn();
  return readAnswer<T>(response);
}

/**
 * The signed-in operator, or a redirect to sign-in. A 403 (signed in, not an administrator) is
 * thrown as an ApiError for the app to show.
 */
export async function loadSession(): Promise<Session> {
  const session = await apiGet<Session>('session');
  csrfToken = session.csrfToken ?? '';
  return session;
}

export async function signOut(): Promise<void> {
  try {
    await post<unknown>(`${BASE}logout`, {});
  } finally {
    window.location.assign(LOGIN_URL);
  }
}
