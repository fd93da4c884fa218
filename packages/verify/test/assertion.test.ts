/**
 * The upstream side of gateway assertions: createAssertionVerifier is the access-token verifier
 * with the assertion typ and claims (and its cache), plus the lifetime cap; and
 * gatewayIdentity reads a Node request. (Minted by the real gateway minter and checked with jose:
 * packages/gatehouse/test/gateway/assertion.test.ts.)
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import {
  ASSERTION_HEADER,
  ASSERTION_TYP,
  assertionFromRequest,
  createAssertionVerifier,
  type AssertionVerifierOptions,
  type AssertionVerifyResult,
  type VerifyResult,
} from '@gatehouse/verify';
import { getFixtures } from './support/cases.ts';
import { accessClaims, accessHeader, accessToken, AUDIENCE, compact, fixedClock, ISSUER, keySet, makeVerifier, NOW, TestClock } from './support/tokens.ts';

const codeOf = (code: string) => (error: unknown) => (error as { code?: string }).code === code;

/** What the gateway mints: 30 s, for route orders. */
function assertion(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  const { es256 } = getFixtures();
  return compact({
    header: accessHeader(es256, { typ: ASSERTION_TYP, ...header }),
    payload: accessClaims({
      iat: NOW,
      exp: NOW + 30,
      roles: ['admin'],
      gh_route: 'orders',
      token_jti: 'at-jti-1',
      ...claims,
    }),
    signer: es256,
  });
}

function verifier(options: Partial<AssertionVerifierOptions> = {}) {
  return createAssertionVerifier({ issuer: ISSUER, keys: keySet([getFixtures().es256]), audience: AUDIENCE, clock: fixedClock(), ...options });
}

const outcome = (result: AssertionVerifyResult | VerifyResult) => (result.ok ? 'ok' : result.reason);

describe('createAssertionVerifier', () => {
  it('accepts an assertion and returns its claims', () => {
    const token = assertion();
    const bound = verifier().verifySync(token);
    assert.ok(bound.ok, bound.ok ? '' : `${bound.reason}: ${bound.detail}`);
    assert.equal(bound.claims.sub, 'alice');
    assert.equal(bound.claims.gh_route, 'orders');
    assert.equal(bound.claims.token_jti, 'at-jti-1');
    assert.deepEqual(bound.claims.roles, ['admin']);
    assert.equal(bound.header.typ, ASSERTION_TYP);
    assert.equal(bound.kid, getFixtures().es256.kid);
  });

  it('keeps typs apart: an access token is not an assertion, an assertion is not an access token', () => {
    const { es256 } = getFixtures();
    assert.equal(outcome(verifier().verifySync(accessToken(es256, { claims: { exp: NOW + 30, iat: NOW } }))), 'wrong_typ');
    assert.equal(outcome(makeVerifier([es256]).verifySync(assertion())), 'wrong_typ');
    // Even one that also carries every access-token claim.
    assert.equal(outcome(makeVerifier([es256]).verifySync(assertion({ client_id: 'web' }))), 'wrong_typ');
  });

  it('checks the time with a 5 s leeway by default (injected clock)', () => {
    const clock = new TestClock();
    const check = createAssertionVerifier({ issuer: ISSUER, keys: keySet([getFixtures().es256]), audience: AUDIENCE, clock: clock.now });
    const token = assertion();
    clock.advanceSeconds(34);
    assert.equal(outcome(check.verifySync(token)), 'ok');
    clock.advanceSeconds(1);
    assert.equal(outcome(check.verifySync(token)), 'token_expired');
    clock.advanceSeconds(3600);
    assert.equal(outcome(check.verifySync(token)), 'token_expired');
    assert.equal(outcome(verifier().verifySync(assertion({ iat: NOW + 6, exp: NOW + 30 }))), 'issued_in_future');
  });

  it('refuses an assertion that lives longer than maxAgeSeconds (invalid_claim)', () => {
    assert.equal(outcome(verifier().verifySync(assertion({ iat: NOW, exp: NOW + 60 }))), 'ok');
    assert.equal(outcome(verifier().verifySync(assertion({ iat: NOW, exp: NOW + 61 }))), 'invalid_claim');
    assert.equal(outcome(verifier().verifySync(assertion({ iat: NOW - 3000, exp: NOW + 300 }))), 'invalid_claim');
    assert.equal(outcome(verifier({ maxAgeSeconds: 10 }).verifySync(assertion())), 'invalid_claim');
  });

  it('applies every access-token rule it is built on: issuer, audience, signature, required claims', () => {
    const { es256, attackerEs256 } = getFixtures();
    assert.equal(outcome(verifier().verifySync(assertion({ iss: 'https://evil.example.com' }))), 'wrong_issuer');
    assert.equal(outcome(verifier({ audience: 'billing' }).verifySync(assertion())), 'wrong_audience');
    assert.equal(outcome(verifier().verifySync(compact({ header: accessHeader(es256, { typ: ASSERTION_TYP }), payload: accessClaims({ iat: NOW, exp: NOW + 30, gh_route: 'orders' }), signer: attackerEs256 }))), 'bad_signature');
    for (const claim of ['sub', 'jti', 'gh_route']) {
      assert.equal(outcome(verifier().verifySync(assertion({ [claim]: undefined }))), 'missing_claim', claim);
    }
    for (const claim of ['gh_route', 'token_jti']) {
      assert.equal(outcome(verifier().verifySync(assertion({ [claim]: '' }))), 'invalid_claim', claim);
      assert.equal(outcome(verifier().verifySync(assertion({ [claim]: ['x'] }))), 'invalid_claim', claim);
    }
    assert.equal(outcome(verifier().verifySync(assertion({}, { typ: `application/${ASSERTION_TYP}` }))), 'ok');
    assert.equal(outcome(verifier().verifySync(assertion({}, { typ: undefined }))), 'wrong_typ');
  });

  it('caches a verified assertion (the gateway reuses one per token and route), re-checking its time on every hit', () => {
    const clock = new TestClock();
    const check = createAssertionVerifier({ issuer: ISSUER, keys: keySet([getFixtures().es256]), audience: AUDIENCE, clock: clock.now });
    const token = assertion();
    const first = check.verifySync(token);
    const second = check.verifySync(token);
    assert.ok(first.ok && second.ok);
    assert.equal(first.cached, false);
    assert.equal(second.cached, true);
    assert.equal(outcome(check.verifySync(assertion({ gh_route: '' }))), 'invalid_claim');
    clock.advanceSeconds(36);
    assert.equal(outcome(check.verifySync(token)), 'token_expired');
  });

  it('validates its options when built (invalid_option)', () => {
    for (const maxAgeSeconds of [0, -1, 301, Number.NaN]) assert.throws(() => verifier({ maxAgeSeconds }), codeOf('invalid_option'), String(maxAgeSeconds));
    assert.throws(() => verifier({ leewaySeconds: 301 }), codeOf('invalid_option'));
    assert.throws(() => verifier({ audience: '' }), codeOf('invalid_option'));
    assert.throws(() => verifier({ issuer: '' }), codeOf('invalid_option'));
  });
});

describe('gatewayIdentity and assertionFromRequest', () => {
  const request = (headers: Record<string, string | string[] | undefined>) => ({ method: 'GET', url: '/orders/1?page=2', headers });

  it('reads the header', async () => {
    assert.equal(ASSERTION_HEADER.toLowerCase(), 'x-gatehouse-assertion');
    const token = assertion();
    const read = assertionFromRequest(request({ 'x-gatehouse-assertion': token }));
    assert.deepEqual(read, { ok: true, assertion: token });
    assert.equal(outcome(await verifier().gatewayIdentity(request({ 'x-gatehouse-assertion': token }))), 'ok');
  });

  it('refuses a request without the header (token_missing) or with it twice (malformed_token)', async () => {
    const { gatewayIdentity } = verifier(); // bound: usable on its own
    assert.equal(outcome(await gatewayIdentity(request({}))), 'token_missing');
    assert.equal(outcome(await gatewayIdentity(request({ 'x-gatehouse-assertion': '' }))), 'token_missing');
    assert.equal(outcome(await gatewayIdentity(request({ 'x-gatehouse-assertion': [assertion(), assertion()] }))), 'malformed_token');
  });

  it('works on a plain node:http server, where a repeated header arrives joined and is refused', async () => {
    const check = verifier();
    const server = createServer((req: IncomingMessage, res) => {
      check.gatewayIdentity(req).then((result) => {
        res.writeHead(result.ok ? 200 : 401, { 'content-type': 'text/plain' });
        res.end(result.ok ? `hello ${result.claims.sub}` : result.reason);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const token = assertion();
      const call = async (path: string, init: RequestInit = {}) => {
        const response = await fetch(`${base}${path}`, init);
        return `${response.status} ${await response.text()}`;
      };
      assert.equal(await call('/orders/1?x=1', { headers: { [ASSERTION_HEADER]: token } }), '200 hello alice');
      assert.equal(await call('/orders/1', { method: 'POST', headers: { [ASSERTION_HEADER]: token.slice(0, -2) } }), '401 bad_signature');
      assert.equal(await call('/orders/1'), '401 token_missing');
      const twice = new Headers();
      twice.append(ASSERTION_HEADER, token);
      twice.append(ASSERTION_HEADER, token);
      assert.equal(await call('/orders/1', { headers: twice }), '401 malformed_token');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
