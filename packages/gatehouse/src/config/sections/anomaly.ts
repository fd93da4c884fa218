import { DEFAULT_ANOMALY, DEFAULT_ANOMALY_WEBHOOK_TIMEOUT_SECONDS } from '../defaults.ts';
import { INVALID, optional, readFields, reader, reject, required, type Reader } from '../readers.ts';
import type { AnomalyConfig, AnomalyCooldownConfig, AnomalyLimitConfig, AnomalyWebhookConfig } from '../types.ts';
import { duration, formatDuration } from '../values/duration.ts';
import { webhookUrl } from '../values/urls.ts';

const failureCount: Reader<number> = reader('a whole number, at least 1', (value) => {
  const number = value.node.kind === 'scalar' ? value.node.value : undefined;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 1 ? number : reject(value, failureCount.expected);
});

/** `{ failures, window }` of one dimension; a key left out keeps that dimension's default. */
function failureLimit(fallback: AnomalyLimitConfig): Reader<AnomalyLimitConfig> {
  const read: Reader<AnomalyLimitConfig> = reader('a mapping with failures and window', (value) => {
    const fields = readFields(value, {
      failures: optional(failureCount, fallback.failures),
      window: optional(duration(), fallback.windowSeconds),
    }, read.expected);
    const complete = fields === INVALID ? undefined : fields.complete();
    return complete === undefined ? INVALID : { failures: complete.failures, windowSeconds: complete.window };
  });
  return read;
}

const cooldownSection: Reader<AnomalyCooldownConfig> = reader('a mapping with base, max and forgetAfter', (value) => {
  const defaults = DEFAULT_ANOMALY.cooldown;
  const read = readFields(value, {
    base: optional(duration(), defaults.baseSeconds),
    max: optional(duration(), defaults.maxSeconds),
    forgetAfter: optional(duration({ min: 0 }), defaults.forgetAfterSeconds),
  }, cooldownSection.expected);
  const fields = read === INVALID ? undefined : read.complete();
  if (read === INVALID || fields === undefined) return INVALID;
  const { base, max, forgetAfter } = fields;
  if (max < base) {
    // Report where the writer can act: the key they wrote (max if present).
    const maxAt = read.mapping.at('max');
    return maxAt !== undefined
      ? reject(maxAt, `a duration of at least base (${formatDuration(base)})`, { kind: 'conflict' })
      : reject(read.mapping.at('base') ?? value, `a duration of at most max (${formatDuration(max)}, the default)`, { kind: 'conflict' });
  }
  return { baseSeconds: base, maxSeconds: max, forgetAfterSeconds: forgetAfter };
});

const webhookSection: Reader<AnomalyWebhookConfig> = reader('a mapping with url and timeout', (value) => {
  const read = readFields(value, {
    url: required(webhookUrl),
    timeout: optional(duration(), DEFAULT_ANOMALY_WEBHOOK_TIMEOUT_SECONDS),
  }, webhookSection.expected);
  const fields = read === INVALID ? undefined : read.complete();
  return fields === undefined ? INVALID : { url: fields.url, timeoutSeconds: fields.timeout };
});

/** `anomaly: { ip, subject, kid, cooldown, webhook }`, all optional; the defaults are the detector's. */
export const anomalySection: Reader<AnomalyConfig> = reader('a mapping with ip, subject, kid, cooldown and webhook', (value) => {
  const read = readFields(value, {
    ip: optional(failureLimit(DEFAULT_ANOMALY.ip), DEFAULT_ANOMALY.ip),
    subject: optional(failureLimit(DEFAULT_ANOMALY.subject), DEFAULT_ANOMALY.subject),
    kid: optional(failureLimit(DEFAULT_ANOMALY.kid), DEFAULT_ANOMALY.kid),
    cooldown: optional(cooldownSection, DEFAULT_ANOMALY.cooldown),
    webhook: optional(webhookSection, DEFAULT_ANOMALY.webhook),
  }, anomalySection.expected);
  const fields = read === INVALID ? undefined : read.complete();
  return fields === undefined ? INVALID : { ip: fields.ip, subject: fields.subject, kid: fields.kid, cooldown: fields.cooldown, webhook: fields.webhook };
});
