import type { FastifyRequest } from 'fastify';
import { isFormRequest } from '../form-parameters.ts';

/** The parameters as fastify parsed them (query or form body): repeated names come as arrays. */
export type RawParameters = Readonly<Record<string, unknown>>;

export type Parameter = { readonly kind: 'absent' } | { readonly kind: 'one'; readonly value: string } | { readonly kind: 'repeated' };

/**
 * GET carries the parameters in the query, POST in an application/x-www-form-urlencoded body.
 * Anything else (a JSON body, no body) reads as no parameters. Unlike the token endpoint's
 * readFormParameters, nothing throws here: the browser-facing endpoints answer a repeated
 * client_id with a page and other repeats with a redirect, so they see repeats as values.
 */
export function requestParameters(request: FastifyRequest): RawParameters {
  if (request.method === 'POST' && !isFormRequest(request)) return {};
  const source = request.method === 'POST' ? request.body : request.query;
  return typeof source === 'object' && source !== null && !Array.isArray(source) ? (source as RawParameters) : {};
}

/**
 * RFC 6749 §3.1: a parameter sent without a value is treated as omitted, and none may be
 * repeated. A value that is not a string (a repeated name, or a JSON body's structure) counts as
 * repeated: it is never one usable value.
 */
export function readParameter(params: RawParameters, name: string): Parameter {
  const value = Object.hasOwn(params, name) ? params[name] : undefined;
  if (value === undefined || value === '') return { kind: 'absent' };
  return typeof value === 'string' ? { kind: 'one', value } : { kind: 'repeated' };
}

/** The parameter's value if it was sent exactly once, else null. */
export function singleParameter(params: RawParameters, name: string): string | null {
  const parameter = readParameter(params, name);
  return parameter.kind === 'one' ? parameter.value : null;
}
