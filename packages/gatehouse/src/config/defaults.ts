/** Every default of the configuration, in one place: a key left out of the file takes the value here. */
import { DEFAULT_ANOMALY_COOLDOWN, DEFAULT_ANOMALY_LIMITS, type FailureLimit } from '../anomaly/anomaly-detector.ts';
import { DEFAULT_WEBHOOK_TIMEOUT_MS } from '../anomaly/anomaly-webhook.ts';
import { DEFAULT_SIGNING_ALGORITHM } from '../keys/signing-algorithms.ts';
import { DEFAULT_ACCESS_TOKEN_TTL_SECONDS } from '../tokens/access-token-ttl.ts';
import type { AnomalyConfig, AnomalyLimitConfig, ClusterConfig, KeysConfig, ListenConfig, TokensConfig } from './types.ts';

export const DEFAULT_LISTEN: ListenConfig = {
  gateway: { host: '0.0.0.0', port: 8080 },
  issuer: { host: '0.0.0.0', port: 9000 },
  control: { host: '0.0.0.0', port: 4000 },
};

/** Relative to the configuration file's directory. */
export const DEFAULT_STORE_URL = 'sqlite:./data/gatehouse.db';

export const DEFAULT_ROTATE_EVERY_SECONDS = 24 * 3600;
/** Shorter rotation would churn JWKS caches for no gain: a key signs tokens of at most 1h. */
export const MIN_ROTATE_EVERY_SECONDS = 3600;
/** The master key comes from GATEHOUSE_MASTER_KEY unless a key file is named. */
export const DEFAULT_KEYS: KeysConfig = { algorithm: DEFAULT_SIGNING_ALGORITHM, rotateEverySeconds: DEFAULT_ROTATE_EVERY_SECONDS, masterKeyFile: null };

export const DEFAULT_TOKENS: TokensConfig = {
  accessTtlSeconds: DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  refreshIdleSeconds: 12 * 3600,
  refreshMaxSeconds: 7 * 86_400,
  leewaySeconds: 30,
};
/** The verify SDK refuses more: a larger leeway would stretch every token's lifetime noticeably. */
export const MAX_LEEWAY_SECONDS = 300;

/** Where a trusted issuer's roles are read when the file does not say. */
export const DEFAULT_ROLES_CLAIM: readonly string[] = ['roles'];
export const DEFAULT_TRUSTED_TYP = 'at+jwt';

/** How deep all/any/not may nest: deeper policies are unreadable and slow to evaluate. */
export const MAX_CONDITION_DEPTH = 8;

/** A resync every 10 s (the issuer's tick) fails twice before a 20 s grace runs out: a shorter one would fail closed on one slow read. */
export const MIN_FAIL_CLOSED_AFTER_SECONDS = 20;
export const DEFAULT_CLUSTER: ClusterConfig = { failClosedAfterSeconds: 60 };

/** The anomaly detector's own defaults, in the configuration's units (seconds). */
export const DEFAULT_ANOMALY: AnomalyConfig = {
  ip: limitInSeconds(DEFAULT_ANOMALY_LIMITS.ip),
  subject: limitInSeconds(DEFAULT_ANOMALY_LIMITS.subject),
  kid: limitInSeconds(DEFAULT_ANOMALY_LIMITS.kid),
  cooldown: {
    baseSeconds: DEFAULT_ANOMALY_COOLDOWN.baseMs / 1000,
    maxSeconds: DEFAULT_ANOMALY_COOLDOWN.maxMs / 1000,
    forgetAfterSeconds: DEFAULT_ANOMALY_COOLDOWN.forgetAfterMs / 1000,
  },
  webhook: null,
};
export const DEFAULT_ANOMALY_WEBHOOK_TIMEOUT_SECONDS = DEFAULT_WEBHOOK_TIMEOUT_MS / 1000;

function limitInSeconds(limit: FailureLimit): AnomalyLimitConfig {
  return { failures: limit.failures, windowSeconds: limit.windowMs / 1000 };
}
