import type { FastifyRequest } from 'fastify';
import { ConsoleApiError } from '../console-errors.ts';

/**
 * Reading the admin API's JSON bodies and query strings: each field by its own property, of the
 * type documented, or invalid_request naming the field. Unknown fields are ignored.
 */
export type JsonObject = Readonly<Record<string, unknown>>;

/** The body as a JSON object; no body at all reads as `{}` (a POST that needs no fields). */
export function jsonBody(request: FastifyRequest): JsonObject {
  const body = request.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('the body must be a JSON object');
  return body as JsonObject;
}

function field(body: JsonObject, name: string): unknown {
  return Object.hasOwn(body, name) ? body[name] : undefined;
}

/** A string field; absent, null and '' (a form's blank input) read as undefined. */
export function optionalString(body: JsonObject, name: string, maxLength = 1024): string | undefined {
  const value = field(body, name);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(`${name}: expected a string`);
  if (value.length > maxLength) throw invalid(`${name}: at most ${maxLength} characters`);
  return value;
}

export function requiredString(body: JsonObject, name: string, maxLength = 1024): string {
  const value = optionalString(body, name, maxLength);
  if (value === undefined || value === '') throw invalid(`${name}: required (a non-empty string)`);
  return value;
}

export function optionalBoolean(body: JsonObject, name: string): boolean | undefined {
  const value = field(body, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(`${name}: expected true or false`);
  return value;
}

/** A list of strings; at most `maxItems`. */
export function optionalStringList(body: JsonObject, name: string, maxItems = 100): string[] | undefined {
  const value = field(body, name);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item.length <= 1024)) throw invalid(`${name}: expected a list of strings`);
  if (value.length > maxItems) throw invalid(`${name}: at most ${maxItems} entries`);
  return [...(value as string[])];
}

/** A plain JSON object field (not a list). */
export function optionalObject(body: JsonObject, name: string): JsonObject | undefined {
  const value = field(body, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`${name}: expected a JSON object`);
  return value as JsonObject;
}

/** A query parameter given at most once; empty reads as absent. */
export function queryParameter(request: FastifyRequest, name: string): string | undefined {
  const url = request.raw.url ?? '';
  const question = url.indexOf('?');
  if (question === -1) return undefined;
  const values = new URLSearchParams(url.slice(question + 1)).getAll(name);
  if (values.length > 1) throw invalid(`${name}: give it at most once`);
  return values[0] === '' ? undefined : values[0];
}

/** A non-negative integer query parameter, at most `max`. */
export function integerParameter(request: FastifyRequest, name: string, max: number): number | undefined {
  const text = queryParameter(request, name);
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text) || Number(text) > max) throw invalid(`${name}: expected an integer from 0 to ${max}`);
  return Number(text);
}

/** A path parameter (fastify has decoded it). */
export function pathParameter(request: FastifyRequest, name: string): string {
  const value = (request.params as Readonly<Record<string, unknown>> | undefined)?.[name];
  if (typeof value !== 'string' || value === '' || value.length > 1024) throw invalid(`${name}: missing in the path`);
  return value;
}

export function invalid(message: string): ConsoleApiError {
  return new ConsoleApiError('invalid_request', message);
}
