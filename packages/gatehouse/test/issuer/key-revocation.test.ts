/**
 * Emergency key revocation (DESIGN.md "Keys", "Revocation"): revokeSigningKey takes the key out of
 * the JWKS and the in-process key set at once, and puts its kid on the key revocation list, in the
 * store and in this process's lists — so even a verifier that still holds the key in a cached
 * JWKS refuses its tokens (token_revoked). A replacement signs at once; one key.revoked event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createVerifier, LocalKeySet, type TokenVerifier, type VerifyResult } from '@gatehouse/verify';
import { decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { revokeSigningKey } from '../../src/keys/revoke-signing-key.ts';
import { RevocationState } from '../../src/revocation/revocation-state.ts';
import { startIssuer, type IssuerHarness } from '../support/issuer-harness.ts';
import { BILLING_BASIC, claimsOf, inProcessVerifier, manualClock, postForm, RESOURCE_SERVER_BASIC } from './token-helpers.ts';

const clock = manualClock();
let issuer: IssuerHarness;
before(async () => {
  issuer = await startIssuer({ clock: clock.now });
});
after(() => issuer.close());

const codeOf = (code: string) => (error: unknown) => (error as { code?: string }).code === code;
const reasonOf = (result: VerifyResult) => (result.ok ? 'ok' : result.reason);

async function serviceToken(): Promise<string> {
  const result = await postForm(issuer.services.urls.token, { grant_type: 'client_credentials', scope: 'orders:read', resource: 'orders' }, { authorization: BILLING_BASIC });
  assert.equal(result.status, 200);
  return result.body.access_token;
}

async function publishedKids(): Promise<string[]> {
  return ((await (await fetch(issuer.services.urls.jwks)).json()) as JSONWebKeySet).keys.map((key) => key.kid!);
}

/** A verifier that fetched the JWKS before the revocation and keeps it, but reads the revocation lists. */
function cachedJwksVerifier(): TokenVerifier {
  return createVerifier({
    issuers: { issuer: issuer.url, keys: LocalKeySet.fromJwks(issuer.services.keys.jwks()) },
    audience: 'orders',
    clock: clock.now,
    isRevoked: issuer.services.revocations.isRevoked,
  });
}

describe('revokeSigningKey', () => {
  it('refuses the key at once everywhere, records it, and signs on with a replacement', async () => {
    const { services } = issuer;
    const revokedKid = services.keys.signingKey().kid;
    const token = await serviceToken();
    const inProcess = inProcessVerifier(issuer, 'orders');
    const cached = cachedJwksVerifier();
    assert.equal(reasonOf(inProcess.verifySync(token)), 'ok'); // now in its verified-token cache too
    assert.equal(reasonOf(cached.verifySync(token)), 'ok');
    const eventsBefore = (await services.store.securityEvents.listRecent({ type: 'key.revoked' })).length;

    const revoked = await revokeSigningKey(services, revokedKid, 'key leaked');
    assert.equal(revoked.kid, revokedKid);
    assert.equal(revoked.state, 'revoked');

    // At once, no tick: the key left the in-process key set (cached verification included) …
    assert.equal(reasonOf(inProcess.verifySync(token)), 'unknown_kid');
    // … and a verifier that still holds it in a cached JWKS refuses it by the key revocation list.
    assert.equal(reasonOf(cached.verifySync(token)), 'token_revoked');
    assert.equal(services.revocations.isRevoked(claimsOf(token) as never, revokedKid, issuer.url), 'key');
    assert.ok(!(await publishedKids()).includes(revokedKid));
    assert.deepEqual((await postForm(services.urls.introspection, { token }, { authorization: RESOURCE_SERVER_BASIC })).body, { active: false });

    // The replacement signs new tokens at once.
    const replacement = services.keys.signingKey().kid;
    assert.notEqual(replacement, revokedKid);
    assert.deepEqual(await publishedKids(), [replacement]);
    const next = await serviceToken();
    assert.equal(decodeProtectedHeader(next).kid, replacement);
    assert.equal(reasonOf(inProcess.verifySync(next)), 'ok');

    // Recorded in the store: the key's state, the revocation list (what other replicas and a
    // restart load), and exactly one security event — the key manager's.
    const row = await services.store.db.selectFrom('signing_keys').select(['state', 'revoked_at']).where('kid', '=', revokedKid).executeTakeFirstOrThrow();
    assert.equal(row.state, 'revoked');
    assert.equal(row.revoked_at, clock.now());
    const entries = (await services.store.revocations.listActive(clock.now())).entries.filter((entry) => entry.kind === 'key' && entry.value === revokedKid);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.reason, 'key leaked');
    assert.equal(entries[0]!.expiresAt, null);
    const otherReplica = new RevocationState();
    await otherReplica.load(services.store.revocations, clock.now());
    assert.equal(otherReplica.isRevoked(claimsOf(token) as never, revokedKid, issuer.url), 'key');

    const events = await waitForEvents('key.revoked', eventsBefore + 1);
    assert.equal(events.length, eventsBefore + 1, 'one key.revoked event, not two');
    assert.equal(events[0]!.severity, 'critical');
    assert.deepEqual(events[0]!.details, { kid: revokedKid, alg: 'ES256' });
  });

  it('an unknown kid is key_not_found, and nothing is recorded', async () => {
    const latest = await issuer.services.store.revocations.latestId();
    await assert.rejects(revokeSigningKey(issuer.services, 'no-such-kid', 'typo'), codeOf('key_not_found'));
    assert.equal(await issuer.services.store.revocations.latestId(), latest);
  });
});

/**
 * Key events are appended by the key manager without being awaited; this waits (a bounded number
 * of turns, no timer) until `count` events of `type` are there, then one turn more, so that a
 * duplicate appended just behind would show. Newest first.
 */
async function waitForEvents(type: 'key.revoked', count: number) {
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
  for (let turn = 0; turn < 100 && (await issuer.services.store.securityEvents.listRecent({ type })).length < count; turn++) await nextTurn();
  await nextTurn();
  return issuer.services.store.securityEvents.listRecent({ type });
}
