/**
 * Attack tokens, one group per attack class (the table is shared with reason-registry.test.ts).
 * Each case asserts the exact reason code; where a case has a control, the same token is shown
 * to be accepted once the one checked thing is allowed, so the refusal cannot come from a
 * mistake in building the token.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVerifier, LocalKeySet, type AccessTokenClaims } from '@gatehouse/verify';
import { attackGroups, getFixtures, unavailableKeySource } from './support/cases.ts';

import { accessToken, AUDIENCE, explain, fixedClock, ISSUER, makeVerifier, outcome } from './support/tokens.ts';

for (const group of attackGroups()) {
  describe(group.title, () => {
    for (const testCase of group.cases) {
      it(`${testCase.name} → ${testCase.expect}`, async () => {
        const result = await testCase.run();
        assert.equal(outcome(result), testCase.expect, explain(result));
        if (testCase.control !== undefined) {
          const control = testCase.control();
          assert.equal(outcome(control), 'ok', `control: ${explain(control)}`);
        }
      });
    }
  });
}

describe('hooks around the attack table', () => {
  it('the revocation hook sees the verified claims, the kid and the issuer', () => {
    const { es256 } = getFixtures();
    const token = accessToken(es256, { claims: { sid: 'family-7', jti: 'jti-hook' } });
    const seen: [AccessTokenClaims, string, string][] = [];
    const verifier = makeVerifier([es256], { isRevoked: (claims, kid, issuer) => { seen.push([claims, kid, issuer]); return undefined; } });
    assert.equal(outcome(verifier.verifySync(token)), 'ok');
    assert.equal(seen.length, 1);
    const [claims, kid, issuer] = seen[0]!;
    assert.equal(claims.jti, 'jti-hook');
    assert.equal(claims.sid, 'family-7');
    assert.equal(kid, es256.kid);
    assert.equal(issuer, ISSUER);
  });

  it('the revocation hook is not consulted for a token that fails an earlier check', () => {
    const { es256 } = getFixtures();
    let calls = 0;
    const verifier = makeVerifier([es256], { isRevoked: () => { calls++; return 'token'; } });
    assert.equal(outcome(verifier.verifySync(accessToken(es256, { claims: { exp: 1, iat: 0 } }))), 'token_expired');
    assert.equal(calls, 0);
  });

  it('async verify of an unavailable source waits for ready() and asks for a refresh before saying keys_unavailable', async () => {
    const { es256 } = getFixtures();
    const events: string[] = [];
    const verifier = makeVerifier(unavailableKeySource({ onReady: () => events.push('ready'), onRefresh: () => events.push('refresh') }));
    const result = await verifier.verify(accessToken(es256));
    assert.equal(outcome(result), 'keys_unavailable');
    assert.deepEqual(events, ['ready', 'refresh']);
  });

  it('a key set that becomes available after ready() verifies the token', async () => {
    const { es256 } = getFixtures();
    const set = new LocalKeySet([es256.trusted]);
    let loaded = false;
    const source = {
      get available() { return loaded; },
      getKey: (kid: string) => (loaded ? set.getKey(kid) : undefined),
      ready: async () => { loaded = true; },
    };
    const verifier = createVerifier({ issuers: { issuer: ISSUER, keys: source }, audience: AUDIENCE, clock: fixedClock() });
    assert.equal(outcome(verifier.verifySync(accessToken(es256))), 'keys_unavailable');
    assert.equal(outcome(await verifier.verify(accessToken(es256))), 'ok');
  });

  it('an enumerable member added to Object.prototype does not change any verdict', () => {
    const { es256 } = getFixtures();
    const token = accessToken(es256);
    const verifier = makeVerifier([es256], { cache: false });
    Object.defineProperty(Object.prototype, 'gatehousePolluted', { value: true, enumerable: true, configurable: true, writable: true });
    let result;
    try {
      result = verifier.verifySync(token);
    } finally {
      delete (Object.prototype as Record<string, unknown>).gatehousePolluted;
    }
    assert.equal(outcome(result), 'ok', explain(result));
  });
});
