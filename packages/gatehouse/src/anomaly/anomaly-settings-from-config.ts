import type { AnomalyConfig, AnomalyLimitConfig } from '../config/types.ts';
import type { AnomalySettings, FailureLimit } from './anomaly-detector.ts';

/** The configuration's `anomaly` section (seconds) as the detector's settings (milliseconds). */
export function anomalySettingsFromConfig(config: AnomalyConfig): AnomalySettings {
  return {
    limits: { ip: failureLimit(config.ip), subject: failureLimit(config.subject), kid: failureLimit(config.kid) },
    cooldown: {
      baseMs: config.cooldown.baseSeconds * 1000,
      maxMs: config.cooldown.maxSeconds * 1000,
      forgetAfterMs: config.cooldown.forgetAfterSeconds * 1000,
    },
    ...(config.webhook === null ? {} : { webhook: { url: config.webhook.url, timeoutMs: config.webhook.timeoutSeconds * 1000 } }),
  };
}

function failureLimit(limit: AnomalyLimitConfig): FailureLimit {
  return { failures: limit.failures, windowMs: limit.windowSeconds * 1000 };
}
