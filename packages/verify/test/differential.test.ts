/**
 * Differential test against jose, the reference JOSE implementation: on a corpus of valid and of
 * invalid tokens, our verifier and jose's jwtVerify (same public keys through createLocalJWKSet,
 * algorithms pinned to the key's, typ at+jwt, issuer, audience, 30 s tolerance, the same clock)
 * must agree on accept/refuse. Then the cases where we are stricter by design (canonical
 * base64url, no duplicate members, RFC 9068 required claims, …) are asserted as "jose accepts, we
 * refuse", each with our reason code — so a stricter rule that silently stops applying fails here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { jwkThumbprint, type ReasonCode } from '@gatehouse/verify';
import { getFixtures, padded, utf16Alias, withTrailingBitSet } from './support/cases.ts';
import {
  accessClaims,
  accessHeader,
  accessToken,
  AUDIENCE,
  compact,
  explain,
  ISSUER,
  makeVerifier,
  NOW,
  parts,
  RawJson,
  segment,
  signSegments,
  type TestKey,
} from './support/tokens.ts';

const f = getFixtures();
const subjects: readonly TestKey[] = [f.es256, f.rs256, f.ps256, f.eddsa, f.hs256];
const jwks = createLocalJWKSet({ keys: f.asymmetric.map((k) => k.jwk as JWK) });
const ours = makeVerifier(f.asymmetric, { cache: false });
const oursHmac = makeVerifier([f.hs256], { cache: false });

/** jose's verdict, with the key's own algorithm pinned (the kid's key decides, as in our verifier). */
async function joseVerdict(token: string, key: TestKey): Promise<{ ok: boolean; error?: string }> {
  const options = { algorithms: [key.alg], typ: 'at+jwt', issuer: ISSUER, audience: AUDIENCE, clockTolerance: 30, currentDate: new Date(NOW * 1000) };
  try {
    if (key.alg.startsWith('HS')) await jwtVerify(token, key.privateKey, options);
    else await jwtVerify(token, jwks, options);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: `${(error as { code?: string }).code ?? ''} ${(error as Error).message}` };
  }
}

function ourVerdict(token: string, key: TestKey) {
  return (key.alg.startsWith('HS') ? oursHmac : ours).verifySync(token);
}

interface DiffCase {
  readonly name: string;
  readonly key: TestKey;
  readonly token: string;
  /** Our expected outcome; jose must agree on accept/refuse. */
  readonly expect: ReasonCode | 'ok';
}

function otherAlgorithm(key: TestKey): TestKey {
  return key === f.es256 ? f.rs256 : f.es256;
}

function corpus(): DiffCase[] {
  const cases: DiffCase[] = [];
  for (const key of subjects) {
    const a = key.alg;
    const add = (name: string, expect: ReasonCode | 'ok', token: string) =>
      cases.push({ name: `${a}: ${name}`, key, token, expect });
    const signedWith = (header: Record<string, unknown>, claims: Record<string, unknown>) => compact({ header: accessHeader(key, header), payload: accessClaims(claims), signer: key });
    // Valid.
    add('a correct access token', 'ok', accessToken(key));
    add('aud an array containing the audience', 'ok', accessToken(key, { claims: { aud: ['billing', AUDIENCE] } }));
    add('typ application/at+jwt', 'ok', signedWith({ typ: 'application/at+jwt' }, {}));
    add('typ AT+JWT', 'ok', signedWith({ typ: 'AT+JWT' }, {}));
    add('exp 29 s ago (within leeway)', 'ok', signedWith({}, { exp: NOW - 29 }));
    add('nbf 30 s ahead (within leeway)', 'ok', signedWith({}, { nbf: NOW + 30 }));
    add('roles, sid and non-ASCII claims', 'ok', signedWith({}, { roles: ['admin'], sid: 's1', name: 'Zoë 😀' }));
    add('odd but valid JSON whitespace in header and payload', 'ok', compact({
      header: new RawJson(` {\n "alg" : "${a}", "kid":"${key.kid}" ,"typ":"at+jwt"}\t`),
      payload: new RawJson(`${JSON.stringify(accessClaims(), null, 2)}\n`),
      signer: key,
    }));
    // Invalid: both refuse.
    add('expired beyond leeway', 'token_expired', signedWith({}, { exp: NOW - 31 }));
    add('expired exactly at the leeway boundary', 'token_expired', signedWith({}, { exp: NOW - 30 }));
    add('nbf beyond leeway', 'token_not_yet_valid', signedWith({}, { nbf: NOW + 31 }));
    add('wrong audience', 'wrong_audience', signedWith({}, { aud: 'payments' }));
    add('aud array without the audience', 'wrong_audience', signedWith({}, { aud: ['payments', 'billing'] }));
    add('wrong issuer', 'wrong_issuer', signedWith({}, { iss: 'https://evil.example.com' }));
    add('issuer with a trailing slash', 'wrong_issuer', signedWith({}, { iss: `${ISSUER}/` }));
    add('issuer missing', 'wrong_issuer', signedWith({}, { iss: undefined }));
    add('bad signature (another key, same kid)', 'bad_signature', accessToken(key, { signer: f.foreign[a as keyof typeof f.foreign] }));
    const [h, p, s] = parts(accessToken(key));
    const sig = Buffer.from(s, 'base64url');
    sig[sig.length >> 1] = sig[sig.length >> 1]! ^ 0x10;
    add('bad signature (one bit flipped)', 'bad_signature', `${h}.${p}.${sig.toString('base64url')}`);
    add('signature of another payload', 'bad_signature', `${h}.${parts(accessToken(key))[1]}.${s}`);
    add('typ JWT', 'wrong_typ', signedWith({ typ: 'JWT' }, {}));
    add('typ missing', 'wrong_typ', signedWith({ typ: undefined }, {}));
    add('typ "at+jwt " with a space', 'wrong_typ', signedWith({ typ: 'at+jwt ' }, {}));
    add('alg none, empty signature', 'alg_not_allowed', compact({ header: { alg: 'none', kid: key.kid, typ: 'at+jwt' }, payload: accessClaims() }));
    add('crit naming an extension', 'unsupported_crit', signedWith({ crit: ['urn:x'], 'urn:x': 1 }, {}));
    add('exp a string', 'invalid_claim', signedWith({}, { exp: String(NOW + 300) }));
    add('payload a JSON array', 'malformed_payload', compact({ header: accessHeader(key), payload: [accessClaims()], signer: key }));
    add('payload not UTF-8', 'malformed_payload', compact({ header: accessHeader(key), payload: Buffer.concat([Buffer.from('{"iss":"'), Buffer.from([0xff]), Buffer.from('"}')]), signer: key }));
    add('"-" written as "+"', 'malformed_token', (() => {
      const t = accessToken(key, { claims: { note: '~~~~~~' } });
      return t.replace('-', '+');
    })());
    if (a === 'ES256') add('a character aliased by a UTF-16 unit with the same low byte (jose refuses non-ASCII)', 'malformed_token', utf16Alias(accessToken(key), 4));
    if (!a.startsWith('HS')) {
      const other = otherAlgorithm(key);
      add(`alg ${other.alg} signed by its key, naming this kid`, 'alg_not_allowed', compact({ header: accessHeader(key, { alg: other.alg }), payload: accessClaims(), signer: other }));
      add('kid unknown (an attacker key)', 'unknown_kid', compact({ header: accessHeader({ alg: a, kid: 'attacker' }), payload: accessClaims(), signer: f.foreign[a as keyof typeof f.foreign] }));
    }
  }
  return cases;
}

describe('jose and we agree on accept/refuse', () => {
  it('kid: our RFC 7638 thumbprint equals jose\'s for every key', async () => {
    for (const key of subjects) {
      const { kid, alg, use, ...members } = key.jwk;
      void alg;
      void use;
      assert.equal(jwkThumbprint(members), await calculateJwkThumbprint(members as JWK), key.alg);
      assert.equal(kid, await calculateJwkThumbprint(members as JWK));
    }
  });

  for (const c of corpus()) {
    it(`${c.name} → ${c.expect}`, async () => {
      const reference = await joseVerdict(c.token, c.key);
      const result = ourVerdict(c.token, c.key);
      assert.equal(result.ok ? 'ok' : result.reason, c.expect, explain(result));
      assert.equal(result.ok, reference.ok, `jose ${reference.ok ? 'accepts' : `refuses (${reference.error})`}; we ${explain(result)}`);
    });
  }
});

describe('where we are stricter than jose (jose accepts, we refuse)', () => {
  const key = f.es256;
  const header = accessHeader(key);
  const claims = accessClaims();
  /** Segments whose length leaves spare bits, so padding and trailing bits apply. */
  function spareBits(build: (x: string) => Record<string, unknown>): string {
    for (const x of ['', 'a', 'aa']) {
      const seg = segment(build(x));
      if (seg.length % 4 !== 0) return seg;
    }
    throw new Error('unreachable');
  }
  const h = spareBits((x) => ({ ...header, x }));
  const p = spareBits((x) => ({ ...claims, x }));
  const resigned = (hs: string, ps: string) => signSegments(hs, ps, key);
  const [, , s] = parts(resigned(h, p));
  const base = JSON.stringify(claims).slice(0, -1);
  const withClaims = (c: Record<string, unknown>) => accessToken(key, { claims: c });
  const stricter: [string, ReasonCode, string][] = [
    ['header part with "=" padding (signed as sent)', 'malformed_token', resigned(padded(h), p)],
    ['payload part with "=" padding (signed as sent)', 'malformed_token', resigned(h, padded(p))],
    ['signature part with "=" padding', 'malformed_token', `${h}.${p}.${padded(s)}`],
    ['a space inside the payload part (signed as sent)', 'malformed_token', resigned(h, `${p.slice(0, 12)} ${p.slice(12)}`)],
    ['a newline inside the header part (signed as sent)', 'malformed_token', resigned(`${h.slice(0, 9)}\n${h.slice(9)}`, p)],
    ['a spare trailing bit set in the header part (signed as sent)', 'malformed_token', resigned(withTrailingBitSet(h), p)],
    ['a spare trailing bit set in the payload part (signed as sent)', 'malformed_token', resigned(h, withTrailingBitSet(p))],
    ['a spare trailing bit set in the signature part', 'malformed_token', `${h}.${p}.${withTrailingBitSet(s)}`],
    ['duplicate "sub" in the payload (jose: last one wins)', 'malformed_payload', compact({ header, payload: new RawJson(`${base},"sub":"admin"}`), signer: key })],
    ['duplicate "sub", the second \\u-escaped', 'malformed_payload', compact({ header, payload: new RawJson(`${base},"s\\u0075b":"admin"}`), signer: key })],
    ['duplicate "alg" in the header', 'malformed_header', compact({ header: new RawJson(`{"alg":"ES256","kid":"${key.kid}","typ":"at+jwt","alg":"ES256"}`), payload: claims, signer: key })],
    ['payload nested 17 deep', 'malformed_payload', compact({ header, payload: new RawJson(`${base},"x":${'['.repeat(16)}${']'.repeat(16)}}`), signer: key })],
    ['jti missing (RFC 9068)', 'missing_claim', withClaims({ jti: undefined })],
    ['client_id missing (RFC 9068)', 'missing_claim', withClaims({ client_id: undefined })],
    ['sub missing (RFC 9068)', 'missing_claim', withClaims({ sub: undefined })],
    ['exp missing', 'missing_claim', withClaims({ exp: undefined })],
    ['iat missing', 'missing_claim', withClaims({ iat: undefined })],
    ['iat in the future beyond leeway', 'issued_in_future', withClaims({ iat: NOW + 31 })],
    ['sub a number', 'invalid_claim', withClaims({ sub: 42 })],
    ['jti empty', 'invalid_claim', withClaims({ jti: '' })],
    ['scope an array', 'invalid_claim', withClaims({ scope: ['orders:read'] })],
    ['roles a string', 'invalid_claim', withClaims({ roles: 'admin' })],
    ['an embedded jwk (the real key)', 'embedded_key_not_allowed', compact({ header: accessHeader(key, { jwk: key.jwk }), payload: claims, signer: key })],
    ['a jku header', 'embedded_key_not_allowed', compact({ header: accessHeader(key, { jku: 'https://attacker.example/jwks' }), payload: claims, signer: key })],
    ['an x5u header', 'embedded_key_not_allowed', compact({ header: accessHeader(key, { x5u: 'https://attacker.example/c.pem' }), payload: claims, signer: key })],
    ['an x5c header', 'embedded_key_not_allowed', compact({ header: accessHeader(key, { x5c: ['MIIB'] }), payload: claims, signer: key })],
  ];

  for (const [name, reason, token] of stricter) {
    it(`${name}: jose accepts, we refuse with ${reason}`, async () => {
      const reference = await joseVerdict(token, key);
      assert.equal(reference.ok, true, `jose should accept (else this is not a stricter case): ${reference.error}`);
      const result = ourVerdict(token, key);
      assert.equal(result.ok ? 'ok' : result.reason, reason, explain(result));
    });
  }

  it('control: the re-signed canonical parts are accepted by both', async () => {
    const token = resigned(h, p);
    assert.equal((await joseVerdict(token, key)).ok, true);
    assert.equal(ourVerdict(token, key).ok, true);
  });
});
