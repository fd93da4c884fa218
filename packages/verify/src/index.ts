export { TOKEN_REASONS, REASON_CODES, type ReasonCode } from './reasons.ts';
export { ERROR_CODES, GatehouseError, type ErrorCode } from './errors.ts';
export { ALGORITHMS, isAlgorithm, type Algorithm } from './algorithms.ts';
export { decodeBase64url, encodeBase64url, isCanonicalBase64url } from './base64url.ts';
export { parseJsonObject } from './strict-json.ts';
export { parseCompactJws, DEFAULT_MAX_TOKEN_LENGTH, type JoseHeader, type ParsedCompactJws } from './compact.ts';
export { verifyCompactJws, checkSignature, type JwsVerifyResult } from './jws.ts';
export { importTrustedKey, importTrustedKeySet, ASYMMETRIC_ALGORITHMS, type TrustedKey, type ImportKeyOptions, type ImportedKeySet } from './trusted-key.ts';
export { jwkThumbprint } from './thumbprint.ts';
export { LocalKeySet, type KeySource } from './key-source.ts';
export { checkClaims, checkClaimShapes, checkClaimsNow, ACCESS_TOKEN_CLAIMS, type AccessTokenClaims, type ClaimRules } from './claims.ts';
export { VerifiedTokenCache, type CachedToken } from './token-cache.ts';
export {
  createVerifier,
  normalizeTyp,
  type TokenVerifier,
  type TrustedIssuer,
  type VerifierOptions,
  type VerifyResult,
  type VerifySuccess,
  type VerifyFailure,
  type RevocationCheck,
  type RevocationList,
} from './verifier.ts';
export { createRemoteKeySource, RemoteKeySource, checkJwksUrl, REMOTE_JWKS_DEFAULTS, type RemoteKeySourceOptions, type JwksEvent, type SkippedKey } from './jwks/remote.ts';
export { loadKeySetFile, type LoadKeySetFileOptions } from './jwks/file.ts';
export { createAssertionVerifier, assertionFromRequest, ASSERTION_TYP, ASSERTION_HEADER, ASSERTION_REQUIRED_CLAIMS, type AssertionVerifier, type AssertionVerifierOptions, type AssertionVerifyResult, type AssertionVerifySuccess, type AssertionClaims, type AssertionRequest } from './assertion.ts';
export { createClientCredentialsSource, TokenRequestError, CLIENT_CREDENTIALS_DEFAULTS, type ClientCredentialsOptions, type ClientCredentialsSource, type TokenSourceEvent, type TokenRequestErrorCode } from './client-credentials.ts';
export { checkEndpointUrl } from './endpoint-url.ts';
