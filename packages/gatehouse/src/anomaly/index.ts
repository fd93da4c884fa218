export {
  AnomalyDetector,
  DEFAULT_ANOMALY_COOLDOWN,
  DEFAULT_ANOMALY_LIMITS,
  UNCOUNTED_REASONS,
  type AnomalyBlock,
  type AnomalyCooldown,
  type AnomalyDetectorOptions,
  type AnomalySettings,
  type AnomalyDimension,
  type AnomalySecurityEvent,
  type AnomalyTrip,
  type BlockingDimension,
  type CheckedRequest,
  type FailedVerification,
  type FailureLimit,
} from './anomaly-detector.ts';
export {
  createAnomalyWebhook,
  DEFAULT_WEBHOOK_MAX_IN_FLIGHT,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  type AnomalyLog,
  type AnomalyWebhook,
  type AnomalyWebhookBody,
  type AnomalyWebhookOptions,
} from './anomaly-webhook.ts';
export { anomalySettingsFromConfig } from './anomaly-settings-from-config.ts';
export { clientAddressKey } from './client-address-key.ts';
export { DEFAULT_MAX_KEYS, DEFAULT_WINDOW_BUCKETS, SlidingWindowCounter, type SlidingWindowOptions } from './sliding-window.ts';
export { tooManyRequests, type TooManyRequestsResponse } from './too-many-requests.ts';
