/**
 * The 429 answer and the address keys blocks are kept under.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientAddressKey } from '../../src/anomaly/client-address-key.ts';
import { tooManyRequests } from '../../src/anomaly/too-many-requests.ts';

describe('tooManyRequests', () => {
  it('is a 429 with Retry-After in whole seconds and a generic JSON body', () => {
    const response = tooManyRequests(60);
    assert.equal(response.status, 429);
    assert.deepEqual(response.headers, { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': '60' });
    assert.deepEqual(JSON.parse(Buffer.from(response.body).toString('utf8')), { error: 'too_many_requests' });
  });

  it('rounds Retry-After up and never below 1', () => {
    assert.equal(tooManyRequests(59.1).headers['retry-after'], '60');
    assert.equal(tooManyRequests(0).headers['retry-after'], '1');
    assert.equal(tooManyRequests(-5).headers['retry-after'], '1');
    assert.equal(tooManyRequests(Number.NaN).headers['retry-after'], '1');
  });

  it('says nothing about why: the same body for every block', () => {
    assert.equal(tooManyRequests(1).body, tooManyRequests(900).body);
  });
});

describe('clientAddressKey', () => {
  it('keeps an IPv4 address, and keys IPv6 by its /64', () => {
    assert.equal(clientAddressKey('192.0.2.1'), '192.0.2.1');
    assert.equal(clientAddressKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(clientAddressKey('2001:DB8:1:2::1'), '2001:db8:1:2::/64');
    assert.equal(clientAddressKey('::1'), '::/64');
    assert.equal(clientAddressKey('fe80::1%eth0'), 'fe80::/64');
  });

  it('reads IPv4-mapped IPv6 as IPv4, and leaves anything else as it is', () => {
    assert.equal(clientAddressKey('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(clientAddressKey('::ffff:c000:201'), '192.0.2.1');
    assert.equal(clientAddressKey(''), '');
    assert.equal(clientAddressKey('not-an-address'), 'not-an-address');
  });
});
