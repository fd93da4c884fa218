import { ServerError } from '../errors.ts';
import { checkAccessTokenTtl, MAX_ACCESS_TOKEN_TTL_SECONDS } from '../tokens/access-token-ttl.ts';

/** The timing of the key lifecycle. Durations in seconds. */
export interface KeyPolicy {
  /** How long a key signs before its successor takes over. Default 24 h. */
  readonly rotateEverySeconds: number;
  /**
   * How long a new key is published before it signs, so that verifiers' JWKS caches hold it before
   * the first token naming it arrives. Default 10 min: twice the usual 5-minute JWKS cache.
   */
  readonly publishLeadSeconds: number;
  /** The longest access-token lifetime this issuer can mint. Default (and cap) 1 h. */
  readonly maxTokenTtlSeconds: number;
  /**
   * Added to the longest lifetime before a retiring key leaves JWKS: verifiers accept tokens up to
   * their leeway past `exp`. Default 300 s, the largest leeway a Gatehouse verifier allows.
   */
  readonly leewaySeconds: number;
}

export const DEFAULT_KEY_POLICY: KeyPolicy = Object.freeze({
  rotateEverySeconds: 24 * 3600,
  publishLeadSeconds: 600,
  maxTokenTtlSeconds: MAX_ACCESS_TOKEN_TTL_SECONDS,
  leewaySeconds: 300,
});

/** Fills in defaults and validates, once, when the configuration loads. */
export function resolveKeyPolicy(overrides: Partial<KeyPolicy> = {}): KeyPolicy {
  const policy = { ...DEFAULT_KEY_POLICY, ...overrides };
  const invalid = (what: string): never => {
    throw new ServerError('config_invalid', `keys: ${what}`);
  };
  checkAccessTokenTtl(policy.maxTokenTtlSeconds, MAX_ACCESS_TOKEN_TTL_SECONDS, 'the maximum token lifetime');
  if (!(Number.isFinite(policy.publishLeadSeconds) && policy.publishLeadSeconds >= 0)) invalid('the publish lead must be zero or more seconds');
  if (!(Number.isFinite(policy.leewaySeconds) && policy.leewaySeconds >= 0)) invalid('the leeway must be zero or more seconds');
  // A key must sign for a while after its successor is published, or rotation would never rest.
  if (!(Number.isFinite(policy.rotateEverySeconds) && policy.rotateEverySeconds > policy.publishLeadSeconds)) {
    invalid('rotateEvery must be longer than the publish lead');
  }
  return Object.freeze(policy);
}
