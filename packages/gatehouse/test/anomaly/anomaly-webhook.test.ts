/**
 * The anomaly webhook on its own: what it posts, that it never throws, and that pending posts are
 * capped so a flood of blocks is not a flood of connections.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createAnomalyWebhook, type AnomalyLog, type AnomalyWebhookBody } from '../../src/anomaly/anomaly-webhook.ts';

const BODY: AnomalyWebhookBody = { type: 'anomaly.blocked', dimension: 'ip', key: '192.0.2.1', count: 50, window_seconds: 60, blocked_until: '2030-01-01T12:01:00.000Z' };

describe('createAnomalyWebhook', () => {
  it('posts the body as JSON, without following redirects, with a timeout signal', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const webhook = createAnomalyWebhook({
      url: 'https://hooks.example.com/a?b=c',
      fetch: (async (url: string | URL | Request, init?: RequestInit) => {
        calls.push({ url: String(url), init: init! });
        return new Response('ok');
      }) as typeof fetch,
    });
    await webhook.post(BODY);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.url, 'https://hooks.example.com/a?b=c');
    assert.equal(calls[0]!.init.method, 'POST');
    assert.equal(calls[0]!.init.redirect, 'error');
    assert.deepEqual(JSON.parse(String(calls[0]!.init.body)), BODY);
    assert.ok(calls[0]!.init.signal instanceof AbortSignal);
  });

  it('drops posts past maxInFlight while earlier ones are pending, and logs each drop', async () => {
    const pending: ((response: Response) => void)[] = [];
    const warnings: string[] = [];
    const log: AnomalyLog = { warn: (_details, message) => warnings.push(message), error: () => undefined };
    const webhook = createAnomalyWebhook(
      {
        url: 'https://hooks.example.com/x',
        maxInFlight: 2,
        fetch: (() => new Promise<Response>((resolve) => pending.push(resolve))) as typeof fetch,
      },
      log,
    );
    const first = webhook.post(BODY);
    const second = webhook.post(BODY);
    await webhook.post(BODY); // dropped: settles at once
    assert.deepEqual(warnings, ['anomaly webhook post dropped: too many pending']);
    // Let the chained calls reach fetch, then answer them.
    while (pending.length < 2) await Promise.resolve();
    for (const resolve of pending.splice(0)) resolve(new Response(null, { status: 204 }));
    await Promise.all([first, second]);
    const third = webhook.post(BODY);
    while (pending.length < 1) await Promise.resolve();
    pending[0]!(new Response(null, { status: 204 }));
    await third;
    assert.equal(warnings.length, 1, 'room again once they settled');
  });

  it('takes a pino logger as its log', () => {
    const logger = pino({ enabled: false });
    assert.doesNotThrow(() => createAnomalyWebhook({ url: 'https://hooks.example.com/x' }, logger));
  });

  it('refuses a URL that is not https, and bad limits, when called', () => {
    assert.throws(() => createAnomalyWebhook({ url: 'http://hooks.example.com/x' }), TypeError);
    assert.throws(() => createAnomalyWebhook({ url: 'not a url' }), TypeError);
    assert.throws(() => createAnomalyWebhook({ url: 'https://hooks.example.com/x', timeoutMs: 0 }), RangeError);
    assert.throws(() => createAnomalyWebhook({ url: 'https://hooks.example.com/x', maxInFlight: 1.5 }), RangeError);
  });
});
