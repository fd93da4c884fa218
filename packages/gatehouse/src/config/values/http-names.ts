import { HTTP_METHODS, type HttpMethod } from '../types.ts';
import { didYouMean, reader, reject, stringValue, textReader, type Reader } from '../readers.ts';

/**
 * The methods a route or condition may name. TRACE and CONNECT are left out: a reverse proxy has
 * no business forwarding either.
 */
export const httpMethod: Reader<HttpMethod> = reader(`an uppercase HTTP method (${HTTP_METHODS.join(', ')})`, (value) => {
  const text = stringValue(value);
  if (text !== undefined && (HTTP_METHODS as readonly string[]).includes(text)) return text as HttpMethod;
  const hint = text === undefined ? undefined : didYouMean(text, HTTP_METHODS);
  return reject(value, httpMethod.expected, hint === undefined ? {} : { hint });
});

/** RFC 9110 §5.1 field name (a token), lowercased. */
export const headerName: Reader<string> = textReader('an HTTP header name (letters, digits and !#$%&\'*+-.^_`|~)', (text) =>
  /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(text) ? text.toLowerCase() : undefined,
);
