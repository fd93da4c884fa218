import { ALGORITHMS, type Algorithm } from '@gatehouse/verify';
import { DEFAULT_ROLES_CLAIM, DEFAULT_TRUSTED_TYP } from '../defaults.ts';
import { didYouMean, INVALID, listOf, nonEmptyString, optional, readFields, reader, reject, required, stringValue, type Reader } from '../readers.ts';
import type { TrustedIssuerConfig } from '../types.ts';
import { claimPath } from '../values/names.ts';
import { jwksSource, trustedIssuerUrl } from '../values/urls.ts';

/** Only public-key algorithms: an HMAC key would be a secret shared with another issuer. */
const TRUSTED_ALGORITHMS = (Object.keys(ALGORITHMS) as Algorithm[]).filter((alg) => ALGORITHMS[alg].kty !== 'oct');

const trustedAlgorithm: Reader<Algorithm> = reader(`one of ${TRUSTED_ALGORITHMS.join(', ')}`, (value) => {
  const text = stringValue(value);
  if (text !== undefined && (TRUSTED_ALGORITHMS as readonly string[]).includes(text)) return text as Algorithm;
  const hint =
    text === undefined ? undefined
    : text.toLowerCase() === 'none' ? 'unsigned tokens are never accepted (RFC 8725 §3.1)'
    : /^HS\d+$/.test(text) ? 'HMAC would need a secret shared with that issuer; only public-key algorithms are trusted (RFC 8725 §3.1)'
    : didYouMean(text, TRUSTED_ALGORITHMS);
  return reject(value, trustedAlgorithm.expected, hint === undefined ? {} : { hint });
});

/** The header `typ` to require, or `false` for an IdP that does not type its access tokens. */
const expectedTyp: Reader<string | null> = reader('a non-empty string, or false to skip the typ check', (value) => {
  if (value.node.kind === 'scalar' && value.node.value === false) return null;
  const text = stringValue(value);
  return text === undefined || text === '' ? reject(value, expectedTyp.expected) : text;
});

export const trustedIssuer: Reader<TrustedIssuerConfig> = reader('a trusted issuer: a mapping with issuer, jwks and audiences', (value) => {
  const read = readFields(value, {
    issuer: required(trustedIssuerUrl),
    jwks: required(jwksSource),
    audiences: required(listOf(nonEmptyString, { min: 1, uniqueBy: (audience) => audience })),
    roles: optional(claimPath, DEFAULT_ROLES_CLAIM),
    algorithms: optional(listOf(trustedAlgorithm, { min: 1, uniqueBy: (alg) => alg }), TRUSTED_ALGORITHMS),
    typ: optional(expectedTyp, DEFAULT_TRUSTED_TYP),
  }, trustedIssuer.expected);
  const fields = read === INVALID ? undefined : read.complete();
  if (fields === undefined) return INVALID;
  return { issuer: fields.issuer, jwks: fields.jwks, audiences: fields.audiences, rolesClaim: fields.roles, algorithms: fields.algorithms, typ: fields.typ };
});
