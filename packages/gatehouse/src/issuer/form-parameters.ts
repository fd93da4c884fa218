import type { FastifyRequest } from 'fastify';
import { OAuthError } from './oauth-error.ts';

/** The parameters of an application/x-www-form-urlencoded request body, read once. */
export interface FormParameters {
  /** The value, or undefined when absent or empty (RFC 6749 §3.1: "sent without a value ... treated as if omitted"). */
  get(name: string): string | undefined;
  /** Every non-empty value, for the few parameters that may repeat (RFC 8707 `resource`). */
  getAll(name: string): readonly string[];
}

export interface ReadFormOptions {
  /** Parameters allowed more than once; any other repeated parameter is invalid_request (RFC 6749 §3.2). */
  readonly repeatable?: readonly string[];
}

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/**
 * The token, revocation and introspection endpoints take form bodies only (RFC 6749 §3.2,
 * RFC 7009 §2.1, RFC 7662 §2.1). Fastify also parses JSON, so the media type is checked here: a
 * JSON body never reaches a grant. Throws invalid_request.
 */
export function readFormParameters(request: FastifyRequest, options: ReadFormOptions = {}): FormParameters {
  if (!isFormRequest(request)) throw new OAuthError('invalid_request', `the request body must be ${FORM_MEDIA_TYPE}`);
  return formParametersOf(request.body, options);
}

/** True when the request carries a form body (userinfo accepts one but does not require it). */
export function isFormRequest(request: FastifyRequest): boolean {
  const contentType = request.headers['content-type'];
  return typeof contentType === 'string' && contentType.split(';', 1)[0]!.trim().toLowerCase() === FORM_MEDIA_TYPE;
}

function formParametersOf(body: unknown, options: ReadFormOptions): FormParameters {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new OAuthError('invalid_request', 'the request body could not be read');
  const repeatable = new Set(options.repeatable ?? []);
  const values = new Map<string, string[]>();
  for (const [name, raw] of Object.entries(body as Record<string, unknown>)) {
    const all = Array.isArray(raw) ? raw : [raw];
    if (all.length > 1 && !repeatable.has(name)) throw new OAuthError('invalid_request', `the parameter ${name} is repeated`);
    const list = all.filter((value): value is string => typeof value === 'string' && value.length > 0);
    if (list.length > 0) values.set(name, list);
  }
  return {
    get: (name) => values.get(name)?.[0],
    getAll: (name) => values.get(name) ?? [],
  };
}
