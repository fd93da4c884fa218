/**
 * Key rotation at the issuer level (DESIGN.md "Keys"), with an injected clock and an independent
 * verifier: jose's createRemoteJWKSet (a fresh instance for every check, so nothing is cached) +
 * jwtVerify over the issuer's real jwks_uri.
 * - On demand: the new key is published at once, signs after the publish lead; tokens of the old
 *   key keep verifying until their exp; the old key leaves the JWKS after its retireAfter.
 * - On schedule: the successor is published publishLead before the active key has signed for
 *   rotateEvery, and takes over then.
 * - Persistence: keys live sealed in the store and survive a restart; another master key does
 *   not open them.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { parseConfig } from '../../src/config/index.ts';
import { openIssuer, type OpenIssuer } from '../../src/issuer/open-issuer.ts';
import { rotationDueAt } from '../../src/keys/advance-keys.ts';
import type { KeyRecord } from '../../src/keys/key-record.ts';
import { startIssuer, type IssuerHarness } from '../support/issuer-harness.ts';
import { BILLING_BASIC, manualClock, postForm } from './token-helpers.ts';

const SECOND = 1000;
const codeOf = (code: string) => (error: unknown) => (error as { code?: string }).code === code;

interface ServiceToken {
  readonly token: string;
  readonly kid: string;
  /** ms */
  readonly expiresAt: number;
}

/** A client-credentials token from the real token endpoint. */
async function serviceToken(issuer: IssuerHarness): Promise<ServiceToken> {
  const result = await postForm(issuer.services.urls.token, { grant_type: 'client_credentials', scope: 'orders:read', resource: 'orders' }, { authorization: BILLING_BASIC });
  assert.equal(result.status, 200);
  const token: string = result.body.access_token;
  return { token, kid: decodeProtectedHeader(token).kid!, expiresAt: decodeJwt(token).exp! * SECOND };
}

/** What a resource server with a fresh jose remote key set says at `now`: `ok <kid>` or jose's error code. */
async function joseSays(issuer: IssuerHarness, token: string, now: number): Promise<string> {
  const jwks = createRemoteJWKSet(new URL(issuer.services.urls.jwks));
  try {
    const { protectedHeader } = await jwtVerify(token, jwks, { typ: 'at+jwt', issuer: issuer.url, audience: 'orders', currentDate: new Date(now) });
    return `ok ${protectedHeader.kid}`;
  } catch (error) {
    return (error as { code: string }).code;
  }
}

async function publishedKids(issuer: IssuerHarness): Promise<string[]> {
  const response = await fetch(issuer.services.urls.jwks);
  assert.equal(response.status, 200);
  return ((await response.json()) as JSONWebKeySet).keys.map((key) => key.kid!).sort();
}

function record(issuer: IssuerHarness, kid: string): KeyRecord {
  const found = issuer.services.keys.records().find((candidate) => candidate.kid === kid);
  assert.ok(found, `no record for ${kid}`);
  return found;
}

/**
 * The key events recorded in the store, oldest first, as `type kid`. Key events are appended
 * without being awaited by the key manager; this waits (a bounded number of turns, no timer)
 * until `count` are there.
 */
async function keyEvents(issuer: IssuerHarness, count: number): Promise<string[]> {
  for (let turn = 0; ; turn++) {
    const events = (await issuer.services.store.securityEvents.listRecent({ limit: 1000 })).filter((event) => event.type.startsWith('key.')).reverse();
    if (events.length >= count || turn === 100) return events.map((event) => `${event.type} ${event.details.kid}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('on-demand rotation (services.keys.rotate())', () => {
  const clock = manualClock();
  let issuer: IssuerHarness;
  before(async () => {
    // One-hour tokens: the longest the issuer mints, so the overlap is the whole retention.
    issuer = await startIssuer({ clock: clock.now, tokens: '{ accessTtl: 1h, refreshIdle: 12h, refreshMax: 7d }' });
  });
  after(() => issuer.close());

  it('overlaps: old tokens verify until exp, the new key signs after the publish lead, the old one leaves the JWKS after retireAfter', async () => {
    const { keys } = issuer.services;
    const k1 = keys.signingKey().kid;
    const minted = await serviceToken(issuer);
    assert.equal(minted.kid, k1);
    assert.equal(minted.expiresAt, Math.floor(clock.now() / SECOND) * SECOND + 3600 * SECOND);

    const k2 = (await keys.rotate()).kid;
    assert.notEqual(k2, k1);
    assert.equal(record(issuer, k2).state, 'pending');
    // Published at once, before it signs: verifiers' caches get it ahead of its first token.
    assert.deepEqual(await publishedKids(issuer), [k1, k2].sort());
    const duringLead = await serviceToken(issuer);
    assert.equal(duringLead.kid, k1);

    clock.advance(keys.policy.publishLeadSeconds * SECOND);
    await issuer.tick();
    assert.equal(keys.signingKey().kid, k2);
    assert.equal(record(issuer, k1).state, 'retiring');
    assert.deepEqual(await publishedKids(issuer), [k1, k2].sort());
    const rotated = await serviceToken(issuer);
    assert.equal(rotated.kid, k2);
    assert.equal(await joseSays(issuer, rotated.token, clock.now()), `ok ${k2}`);
    assert.equal(await joseSays(issuer, minted.token, clock.now()), `ok ${k1}`);

    // The old key's tokens keep verifying up to their exp, and the key stays published past it.
    clock.advance(minted.expiresAt - SECOND - clock.now());
    await issuer.tick();
    assert.equal(await joseSays(issuer, minted.token, clock.now()), `ok ${k1}`);
    clock.advance(2 * SECOND);
    await issuer.tick();
    assert.equal(await joseSays(issuer, minted.token, clock.now()), 'ERR_JWT_EXPIRED');
    assert.deepEqual(await publishedKids(issuer), [k1, k2].sort());

    // retireAfter = when it stopped signing + the longest token lifetime + leeway.
    const retireAfter = record(issuer, k1).retireAfter!;
    assert.equal(retireAfter, record(issuer, k1).retiringAt! + (keys.policy.maxTokenTtlSeconds + keys.policy.leewaySeconds) * SECOND);
    clock.advance(retireAfter - SECOND - clock.now());
    await issuer.tick();
    assert.deepEqual(await publishedKids(issuer), [k1, k2].sort());
    clock.advance(SECOND);
    await issuer.tick();
    assert.equal(record(issuer, k1).state, 'retired');
    assert.deepEqual(await publishedKids(issuer), [k2]);
    assert.equal(await joseSays(issuer, duringLead.token, clock.now()), 'ERR_JWKS_NO_MATCHING_KEY');
    const later = await serviceToken(issuer);
    assert.equal(await joseSays(issuer, later.token, clock.now()), `ok ${k2}`);

    assert.deepEqual((await keyEvents(issuer, 6)).slice(2), [`key.created ${k2}`, `key.activated ${k2}`, `key.retiring ${k1}`, `key.retired ${k1}`]);
  });
});

describe('scheduled rotation (rotateEvery)', () => {
  const clock = manualClock();
  let issuer: IssuerHarness;
  before(async () => {
    issuer = await startIssuer({ clock: clock.now });
  });
  after(() => issuer.close());

  it('publishes the successor publishLead before rotateEvery is up, and it takes over then', async () => {
    const { keys } = issuer.services;
    const k1 = keys.signingKey().kid;
    const due = rotationDueAt(record(issuer, k1), keys.policy);
    assert.equal(due, record(issuer, k1).activatesAt + (keys.policy.rotateEverySeconds - keys.policy.publishLeadSeconds) * SECOND);

    clock.advance(due - SECOND - clock.now());
    await issuer.tick();
    assert.equal(keys.records().length, 1, 'not due yet');

    clock.advance(SECOND);
    await issuer.tick();
    const k2 = keys.records().find((candidate) => candidate.kid !== k1)?.kid;
    assert.ok(k2 !== undefined, 'the successor was generated');
    assert.equal(record(issuer, k2).state, 'pending');
    assert.deepEqual(await publishedKids(issuer), [k1, k2].sort());
    assert.equal((await serviceToken(issuer)).kid, k1);

    clock.advance(keys.policy.publishLeadSeconds * SECOND);
    await issuer.tick();
    const token = await serviceToken(issuer);
    assert.equal(token.kid, k2);
    assert.equal(record(issuer, k1).state, 'retiring');
    assert.deepEqual(await publishedKids(issuer), [k1, k2].sort());
    assert.equal(await joseSays(issuer, token.token, clock.now()), `ok ${k2}`);
    assert.deepEqual((await keyEvents(issuer, 5)).slice(2), [`key.created ${k2}`, `key.activated ${k2}`, `key.retiring ${k1}`]);
  });
});

describe('keys persist sealed in the store', () => {
  const clock = manualClock();
  const masterKey = randomBytes(32).toString('base64url');
  let dir: string;
  let file: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-keys-'));
    file = join(dir, 'gatehouse.db');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** An issuer on the SQLite file, nothing listening: only the keys matter here. */
  function open(key: string): Promise<OpenIssuer> {
    const env = { GATEHOUSE_MASTER_KEY: key };
    const { config } = parseConfig(`issuer: https://auth.example.com\nstore: "sqlite:${file}"\n`, { file: join(dir, 'gatehouse.yaml'), env });
    return openIssuer(config, { env, clock: clock.now });
  }

  const mint = (issuer: OpenIssuer) => issuer.services.mintAccessToken({ subject: 'alice', audience: 'orders', clientId: 'web' });
  const verifyUnder = (jwks: unknown, token: string) =>
    jwtVerify(token, createLocalJWKSet(jwks as JSONWebKeySet), { typ: 'at+jwt', issuer: 'https://auth.example.com', audience: 'orders', currentDate: new Date(clock.now()) });

  it('a restart signs with the same key; the row holds an envelope, never a PEM; another master key fails with key_unseal_failed', async () => {
    const first = await open(masterKey);
    const kid = first.services.keys.signingKey().kid;
    const beforeRestart = await mint(first);
    const jwksBefore = first.services.keys.jwks();
    await first.close();

    // Nothing in the database files (main file, WAL) is a private key in the clear.
    for (const name of await readdir(dir)) assert.doesNotMatch(await readFile(join(dir, name), 'latin1'), /PRIVATE KEY/, name);

    const second = await open(masterKey);
    try {
      assert.equal(second.services.keys.signingKey().kid, kid);
      assert.equal(second.services.keys.records().length, 1, 'no key was generated on restart');
      const rows = await second.services.store.db.selectFrom('signing_keys').select(['kid', 'state', 'sealed_private_key']).execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.kid, kid);
      assert.equal(rows[0]!.state, 'active');
      assert.match(rows[0]!.sealed_private_key, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
      assert.doesNotMatch(rows[0]!.sealed_private_key, /BEGIN|PRIVATE/);
      // The same private key: a token signed after the restart verifies under the JWKS from before, and the other way round.
      assert.equal((await verifyUnder(jwksBefore, (await mint(second)).token)).protectedHeader.kid, kid);
      assert.equal((await verifyUnder(second.services.keys.jwks(), beforeRestart.token)).protectedHeader.kid, kid);
    } finally {
      await second.close();
    }

    await assert.rejects(open(randomBytes(32).toString('base64url')), codeOf('key_unseal_failed'));
    // The failed start wrote nothing: the right key still opens the store, with the same single key.
    const third = await open(masterKey);
    try {
      assert.deepEqual(third.services.keys.records().map((candidate) => candidate.kid), [kid]);
    } finally {
      await third.close();
    }
  });
});
