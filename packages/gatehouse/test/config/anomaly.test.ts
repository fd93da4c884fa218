/**
 * The `anomaly` section: the detector's defaults when it is left out, per-dimension limits,
 * the cooldown and the webhook; every refusal with its place and its exact message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ANOMALY_COOLDOWN, DEFAULT_ANOMALY_LIMITS } from '../../src/anomaly/anomaly-detector.ts';
import { anomalySettingsFromConfig } from '../../src/anomaly/anomaly-settings-from-config.ts';
import { DEFAULT_WEBHOOK_TIMEOUT_MS } from '../../src/anomaly/anomaly-webhook.ts';
import { formatIssue } from '../../src/config/index.ts';
import { issuesOf, onlyIssue, parse, yaml } from './config-test-helpers.ts';

const withAnomaly = (...lines: string[]) => yaml('issuer: https://auth.example.com', ...lines);

/** The one issue's place, kind and message. */
function refusal(text: string, env: Record<string, string> = {}): { kind: string; line: number; column: number; path: string; message: string } {
  const issue = onlyIssue(text, env);
  return { kind: issue.kind, line: issue.line, column: issue.column, path: issue.path, message: issue.message };
}

describe('anomaly section', () => {
  describe('accepted', () => {
    it('left out: the detector\'s own defaults', () => {
      const { config } = parse(withAnomaly());
      assert.deepEqual(config.anomaly, {
        ip: { failures: 50, windowSeconds: 60 },
        subject: { failures: 20, windowSeconds: 60 },
        kid: { failures: 200, windowSeconds: 60 },
        cooldown: { baseSeconds: 60, maxSeconds: 900, forgetAfterSeconds: 3600 },
        webhook: null,
      });
      // Defined from the detector's constants, so the two cannot drift apart.
      assert.deepEqual(anomalySettingsFromConfig(config.anomaly), { limits: DEFAULT_ANOMALY_LIMITS, cooldown: DEFAULT_ANOMALY_COOLDOWN });
    });

    it('a key left out keeps its default, per dimension; the webhook URL is normalized, its timeout 3s by default', () => {
      const { config, warnings } = parse(withAnomaly(
        'anomaly:',
        '  ip: { failures: 5 }',
        '  kid: { window: 5m }',
        '  cooldown: { base: 30s, forgetAfter: 0s }',
        '  webhook: { url: "https://Hooks.Example.com/services/T0/B1/s3cr3t?channel=sec" }',
      ));
      assert.deepEqual(warnings, []);
      assert.deepEqual(config.anomaly, {
        ip: { failures: 5, windowSeconds: 60 },
        subject: { failures: 20, windowSeconds: 60 },
        kid: { failures: 200, windowSeconds: 300 },
        cooldown: { baseSeconds: 30, maxSeconds: 900, forgetAfterSeconds: 0 },
        webhook: { url: 'https://hooks.example.com/services/T0/B1/s3cr3t?channel=sec', timeoutSeconds: DEFAULT_WEBHOOK_TIMEOUT_MS / 1000 },
      });
      assert.ok(Object.isFrozen(config.anomaly.webhook));
    });

    it('the detector\'s settings are the section in milliseconds', () => {
      const { config } = parse(withAnomaly(
        'anomaly:',
        '  subject: { failures: 3, window: 10m }',
        '  cooldown: { base: 2m, max: 1h, forgetAfter: 1d }',
        '  webhook: { url: http://127.0.0.1:9099/hook, timeout: 10s }',
      ));
      assert.deepEqual(anomalySettingsFromConfig(config.anomaly), {
        limits: { ip: { failures: 50, windowMs: 60_000 }, subject: { failures: 3, windowMs: 600_000 }, kid: { failures: 200, windowMs: 60_000 } },
        cooldown: { baseMs: 120_000, maxMs: 3_600_000, forgetAfterMs: 86_400_000 },
        webhook: { url: 'http://127.0.0.1:9099/hook', timeoutMs: 10_000 },
      });
    });

    it('plain http only to a loopback host', () => {
      for (const url of ['http://localhost:8080/hook', 'http://127.0.0.1/hook', 'http://[::1]:9000/hook']) {
        assert.equal(parse(withAnomaly(`anomaly: { webhook: { url: "${url}" } }`)).config.anomaly.webhook?.url, url);
      }
    });
  });

  describe('refused, with file, line, column, path and what was expected', () => {
    it('failures must be a whole number of at least 1', () => {
      assert.deepEqual(refusal(withAnomaly('anomaly:', '  ip: { failures: 0 }')), {
        kind: 'invalid_value', line: 3, column: 19, path: 'anomaly.ip.failures', message: 'expected a whole number, at least 1, found 0',
      });
      assert.equal(refusal(withAnomaly('anomaly:', '  subject: { failures: 2.5 }')).message, 'expected a whole number, at least 1, found 2.5');
      assert.equal(refusal(withAnomaly('anomaly:', '  kid: { failures: "10" }')).message, 'expected a whole number, at least 1, found "10"');
    });

    it('a window is a duration of at least 1s; a bare number is not one', () => {
      assert.deepEqual(refusal(withAnomaly('anomaly:', '  ip: { window: 0s }')), {
        kind: 'invalid_value', line: 3, column: 17, path: 'anomaly.ip.window', message: 'expected a duration of at least 1s, found "0s"',
      });
      assert.equal(refusal(withAnomaly('anomaly:', '  ip: { window: 60 }')).message, 'expected a duration like 30s, 5m, 12h, 7d or 1h30m, found 60');
    });

    it('unknown keys, with a suggestion', () => {
      assert.deepEqual(refusal(withAnomaly('anomaly:', '  subjects: { failures: 3 }')), {
        kind: 'unknown_key', line: 3, column: 3, path: 'anomaly.subjects', message: 'unknown key "subjects"; did you mean "subject"?',
      });
      assert.equal(refusal(withAnomaly('anomaly:', '  ip: { failures: 3, windw: 1m }')).message, 'unknown key "windw"; did you mean "window"?');
      assert.equal(refusal(withAnomaly('anomaly:', '  cooldown: { forget_after: 1h }')).message, 'unknown key "forget_after"; did you mean "forgetAfter"?');
      assert.equal(refusal(withAnomaly('anomaly:', '  webhook: { url: "https://hooks.example.com/x", secret: abc }')).message, 'unknown key "secret"; expected one of url, timeout');
      assert.deepEqual(refusal(withAnomaly('anomally:', '  ip: { failures: 3 }')), {
        kind: 'unknown_key', line: 2, column: 1, path: 'anomally', message: 'unknown key "anomally"; did you mean "anomaly"?',
      });
    });

    it('the section and each part are mappings; an empty value is not a default', () => {
      assert.deepEqual(refusal(withAnomaly('anomaly: 5')), {
        kind: 'invalid_value', line: 2, column: 10, path: 'anomaly', message: 'expected a mapping with ip, subject, kid, cooldown and webhook, found 5',
      });
      assert.equal(refusal(withAnomaly('anomaly:', '  ip:')).message, 'expected a mapping with failures and window, found an empty value');
      assert.equal(refusal(withAnomaly('anomaly: { cooldown: [1m] }')).message, 'expected a mapping with base, max and forgetAfter, found a list');
    });

    it('the cooldown\'s max is at least its base: a conflict at the key that was written', () => {
      assert.deepEqual(refusal(withAnomaly('anomaly:', '  cooldown: { base: 10m, max: 5m }')), {
        kind: 'conflict', line: 3, column: 31, path: 'anomaly.cooldown.max', message: 'expected a duration of at least base (10m), found "5m"',
      });
      assert.deepEqual(refusal(withAnomaly('anomaly:', '  cooldown: { base: 1h }')), {
        kind: 'conflict', line: 3, column: 21, path: 'anomaly.cooldown.base', message: 'expected a duration of at most max (15m, the default), found "1h"',
      });
      assert.equal(refusal(withAnomaly('anomaly:', '  cooldown: { base: 0s }')).message, 'expected a duration of at least 1s, found "0s"');
    });

    it('a webhook needs a URL: https, or http to a loopback host; the refusal never shows its path', () => {
      assert.deepEqual(refusal(withAnomaly('anomaly:', '  webhook: { timeout: 3s }')), {
        kind: 'missing_key', line: 3, column: 12, path: 'anomaly.webhook.url',
        message: 'missing required key "url", expected an absolute https URL without credentials or fragment (http only for localhost, 127.0.0.1 or [::1])',
      });
      const issue = onlyIssue(withAnomaly('anomaly:', '  webhook: { url: "http://hooks.example.com/services/T0/B1/s3cr3t" }'));
      assert.equal(
        formatIssue(issue),
        'gatehouse.yaml:3:19 anomaly.webhook.url: expected an absolute https URL without credentials or fragment (http only for localhost, 127.0.0.1 or [::1]), found "http://hooks.example.com…"; the scheme http is not allowed here',
      );
      assert.ok(!issue.message.includes('s3cr3t'));
      assert.equal(refusal(withAnomaly('anomaly:', '  webhook: { url: "hooks.example.com/services/s3cr3t" }')).message,
        'expected an absolute https URL without credentials or fragment (http only for localhost, 127.0.0.1 or [::1]), found "hooks.example.com…"; an absolute URL starts with a scheme, like https://');
      assert.match(refusal(withAnomaly('anomaly:', '  webhook: { url: "https://hooks.example.com/x#s3cr3t" }')).message, /found "https:\/\/hooks\.example\.com…"; a fragment is not allowed$/);
    });

    it('a webhook URL from the environment is shown as written in the file, never as interpolated', () => {
      const issue = onlyIssue(withAnomaly('anomaly:', '  webhook: { url: "${HOOK_URL}" }'), { HOOK_URL: 'http://hooks.example.com/services/s3cr3t' });
      assert.equal(issue.path, 'anomaly.webhook.url');
      assert.equal(issue.found, '"${HOOK_URL}" (40 characters after interpolation; value not shown)');
      assert.ok(!issue.message.includes('s3cr3t'));
    });

    it('a webhook timeout is a duration of at least 1s', () => {
      assert.deepEqual(refusal(withAnomaly('anomaly:', '  webhook: { url: "https://hooks.example.com/x", timeout: 0s }')), {
        kind: 'invalid_value', line: 3, column: 59, path: 'anomaly.webhook.timeout', message: 'expected a duration of at least 1s, found "0s"',
      });
    });

    it('every problem of the section is reported at once, in document order', () => {
      const issues = issuesOf(withAnomaly(
        'anomaly:', //                                            2
        '  ip: { failures: -1, window: 1x }', //                  3
        '  kid: { failures: 1 }', //                              4
        '  cooldown: { max: 30s }', //                            5
        '  webhook: { url: ftp://hooks.example.com/x }', //       6
      ));
      assert.deepEqual(issues.map((issue) => [issue.kind, issue.line, issue.column, issue.path]), [
        ['invalid_value', 3, 19, 'anomaly.ip.failures'],
        ['invalid_value', 3, 31, 'anomaly.ip.window'],
        ['conflict', 5, 20, 'anomaly.cooldown.max'],
        ['invalid_value', 6, 19, 'anomaly.webhook.url'],
      ]);
      assert.equal(issues[2]!.message, 'expected a duration of at least base (1m), found "30s"');
    });
  });
});
