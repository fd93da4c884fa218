import assert from 'node:assert/strict';
import { createHmac, verify as cryptoVerify } from 'node:crypto';
import { test } from 'node:test';
import { checkSignature, importTrustedKey, parseCompactJws, verifyCompactJws, type ImportKeyOptions, type TrustedKey } from '../src/index.ts';

/*
 * Known answers from the RFCs, copied exactly (tokens and keys; public key members only):
 * RFC 7515 Appendix A.1 (HS256), A.2 (RS256), A.3 (ES256), A.5 (unsecured JWS);
 * RFC 7520 §4.1 (RS256) and §4.4 (HS256); RFC 8037 Appendix A.4 (Ed25519).
 */

// RFC 7515 A.1.1: the JWS Payload octets, shared by A.1, A.2, A.3 and A.5.
const RFC7515_PAYLOAD = Buffer.from([
  123, 34, 105, 115, 115, 34, 58, 34, 106, 111, 101, 34, 44, 13, 10, 32, 34, 101, 120, 112,
  34, 58, 49, 51, 48, 48, 56, 49, 57, 51, 56, 48, 44, 13, 10, 32, 34, 104, 116, 116, 112, 58,
  47, 47, 101, 120, 97, 109, 112, 108, 101, 46, 99, 111, 109, 47, 105, 115, 95, 114, 111, 111,
  116, 34, 58, 116, 114, 117, 101, 125,
]);
const RFC7515_PAYLOAD_SEGMENT = 'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ';

const RFC7515_A1 = {
  token: `eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.${RFC7515_PAYLOAD_SEGMENT}.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk`,
  jwk: { kty: 'oct', k: 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow' },
  // A.1.1 lists the key as octets too.
  keyOctets: [
    3, 35, 53, 75, 43, 15, 165, 188, 131, 126, 6, 101, 119, 123, 166, 143, 90, 179, 40, 230, 240, 84, 201, 40, 169, 15,
    132, 178, 210, 80, 46, 191, 211, 251, 90, 146, 210, 6, 71, 239, 150, 138, 180, 195, 119, 98, 61, 34, 61, 46, 33, 114,
    5, 46, 79, 8, 192, 205, 154, 245, 103, 208, 128, 163,
  ],
  header: '{"typ":"JWT",\r\n "alg":"HS256"}',
};

const RFC7515_A2 = {
  token:
    `eyJhbGciOiJSUzI1NiJ9.${RFC7515_PAYLOAD_SEGMENT}.` +
    'cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7' +
    'AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4' +
    'BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K' +
    '0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqv' +
    'hJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrB' +
    'p0igcN_IoypGlUPQGe77Rw',
  jwk: {
    kty: 'RSA',
    n:
      'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddx' +
      'HmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs' +
      'D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSH' +
      'SXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV' +
      'MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8' +
      'NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ',
    e: 'AQAB',
  },
  header: '{"alg":"RS256"}',
};

const RFC7515_A3 = {
  token: `eyJhbGciOiJFUzI1NiJ9.${RFC7515_PAYLOAD_SEGMENT}.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q`,
  jwk: { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' },
  header: '{"alg":"ES256"}',
};

const RFC7515_A5 = `eyJhbGciOiJub25lIn0.${RFC7515_PAYLOAD_SEGMENT}.`;

// RFC 7520 §4: the payload of every signature example ("It’s" and "there’s" with U+2019).
const RFC7520_PAYLOAD =
  'It\u2019s a dangerous business, Frodo, going out your door. You step onto the road, and if you ' +
  'don\'t keep your feet, there\u2019s no knowing where you might be swept off to.';
const RFC7520_PAYLOAD_SEGMENT =
  'SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IH' +
  'lvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBk' +
  'b24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcm' +
  'UgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4';

const RFC7520_4_1 = {
  token:
    'eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9.' +
    `${RFC7520_PAYLOAD_SEGMENT}.` +
    'MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84w' +
    'nB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW' +
    '3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg',
  // §3.4, public members only.
  jwk: {
    kty: 'RSA',
    kid: 'bilbo.baggins@hobbiton.example',
    use: 'sig',
    n:
      'n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqV' +
      'wGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZC' +
      'uEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw',
    e: 'AQAB',
  },
};

const RFC7520_4_4 = {
  token:
    'eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9.' +
    `${RFC7520_PAYLOAD_SEGMENT}.` +
    's0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0',
  // §3.5
  jwk: { kty: 'oct', kid: '018c0ae5-4d9b-471b-bfd6-eef314bc7037', use: 'sig', alg: 'HS256', k: 'hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg' },
};

const RFC8037_A4 = {
  token: 'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg',
  // A.2: the public key.
  jwk: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
  payload: 'Example of Ed25519 signing',
};

const HS256_ONLY: ImportKeyOptions = { algorithms: ['HS256'] };

/** Parse, then the signature check with the one key given, whatever the token's kid. */
function checkWith(token: string, key: TrustedKey): string {
  const jws = parseCompactJws(token);
  if (!jws.ok) return jws.reason;
  return checkSignature(jws, key)?.reason ?? 'ok';
}

/** The kid-less RFC 7515 / RFC 8037 tokens: verifyCompactJws needs a kid, so parse + checkSignature. */
function verifyWithoutKid(token: string, key: TrustedKey): string {
  const jws = parseCompactJws(token);
  assert.ok(jws.ok && jws.header.kid === undefined);
  return checkWith(token, key);
}

/** The signing input exactly as the RFC computes it: ASCII(BASE64URL(header) '.' BASE64URL(payload)). */
function signingInput(token: string): Buffer {
  return Buffer.from(token.slice(0, token.lastIndexOf('.')), 'ascii');
}

function signature(token: string): Buffer {
  return Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');
}

/** Checks one kid-less known answer end to end and returns the parsed token. */
function kidlessKnownAnswer(token: string, key: TrustedKey, header: string, payload: Buffer) {
  const parsed = parseCompactJws(token);
  assert.ok(parsed.ok);
  assert.equal(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'), header);
  assert.deepEqual(parsed.payload, payload);
  assert.deepEqual(parsed.signingInput, signingInput(token));
  assert.deepEqual(parsed.signature, signature(token));
  assert.equal(verifyWithoutKid(token, key), 'ok');
  // Over the exact signing input bytes; one changed byte and it no longer verifies.
  assert.equal(key.verify(signingInput(token), signature(token)), true);
  const altered = Buffer.from(signingInput(token));
  altered[altered.length - 1]! ^= 0x01;
  assert.equal(key.verify(altered, signature(token)), false);
  // verifyCompactJws insists on a kid: a token without one names no trusted key.
  const r = verifyCompactJws(token, () => key);
  assert.equal(r.ok ? 'ok' : r.reason, 'unknown_kid');
  return parsed;
}

test('RFC 7515 A.1: HS256 known answer', () => {
  const key = importTrustedKey({ ...RFC7515_A1.jwk, kid: 'rfc7515-a1', alg: 'HS256' }, HS256_ONLY);
  assert.deepEqual([...Buffer.from(RFC7515_A1.jwk.k, 'base64url')], RFC7515_A1.keyOctets);
  kidlessKnownAnswer(RFC7515_A1.token, key, RFC7515_A1.header, RFC7515_PAYLOAD);
  // HMAC is deterministic: the RFC's MAC is recomputed byte for byte.
  const mac = createHmac('sha256', Buffer.from(RFC7515_A1.keyOctets)).update(signingInput(RFC7515_A1.token)).digest();
  assert.deepEqual(mac, signature(RFC7515_A1.token));
});

test('RFC 7515 A.2: RS256 known answer', () => {
  const key = importTrustedKey({ ...RFC7515_A2.jwk, kid: 'rfc7515-a2', alg: 'RS256' });
  assert.equal(key.keyObject.asymmetricKeyDetails?.modulusLength, 2048);
  kidlessKnownAnswer(RFC7515_A2.token, key, RFC7515_A2.header, RFC7515_PAYLOAD);
});

test('RFC 7515 A.3: ES256 known answer (JWS signature is r‖s)', () => {
  const key = importTrustedKey({ ...RFC7515_A3.jwk, kid: 'rfc7515-a3', alg: 'ES256' });
  kidlessKnownAnswer(RFC7515_A3.token, key, RFC7515_A3.header, RFC7515_PAYLOAD);
  // ECDSA is randomized, so verifying is the known answer. The 64 bytes are R and S, 32 each.
  const sig = signature(RFC7515_A3.token);
  assert.equal(sig.length, 64);
  assert.equal(
    cryptoVerify('sha256', signingInput(RFC7515_A3.token), { key: key.keyObject, dsaEncoding: 'ieee-p1363' }, sig),
    true,
  );
  // S‖R is not the same signature.
  assert.equal(key.verify(signingInput(RFC7515_A3.token), Buffer.concat([sig.subarray(32), sig.subarray(0, 32)])), false);
});

test('RFC 7515 A.5: the unsecured JWS is refused with alg_not_allowed', () => {
  const parsed = parseCompactJws(RFC7515_A5);
  assert.equal(parsed.ok ? 'ok' : parsed.reason, 'alg_not_allowed');
  assert.equal(parsed.header?.alg, 'none');
  const hs = importTrustedKey({ ...RFC7515_A1.jwk, kid: 'rfc7515-a1', alg: 'HS256' }, HS256_ONLY);
  for (const key of [hs, importTrustedKey({ ...RFC7515_A3.jwk, kid: 'rfc7515-a3' })]) {
    const r = verifyCompactJws(RFC7515_A5, () => key);
    assert.equal(r.ok ? 'ok' : r.reason, 'alg_not_allowed');
  }
});

test('RFC 7520 §4.1: RS256 known answer through verifyCompactJws', () => {
  const key = importTrustedKey(RFC7520_4_1.jwk); // no "alg" in the JWK: RSA defaults to RS256
  assert.equal(key.alg, 'RS256');
  assert.equal(key.kid, 'bilbo.baggins@hobbiton.example');
  const r = verifyCompactJws(RFC7520_4_1.token, (kid) => (kid === key.kid ? key : undefined));
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.deepEqual(r.header, { alg: 'RS256', kid: 'bilbo.baggins@hobbiton.example' });
  assert.equal(r.payload.toString('utf8'), RFC7520_PAYLOAD);
  assert.equal(key.verify(signingInput(RFC7520_4_1.token), signature(RFC7520_4_1.token)), true);
});

test('RFC 7520 §4.4: HS256 known answer through verifyCompactJws', () => {
  const key = importTrustedKey(RFC7520_4_4.jwk, HS256_ONLY);
  const r = verifyCompactJws(RFC7520_4_4.token, (kid) => (kid === key.kid ? key : undefined));
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.deepEqual(r.header, { alg: 'HS256', kid: '018c0ae5-4d9b-471b-bfd6-eef314bc7037' });
  assert.equal(r.payload.toString('utf8'), RFC7520_PAYLOAD);
  const mac = createHmac('sha256', Buffer.from(RFC7520_4_4.jwk.k, 'base64url')).update(signingInput(RFC7520_4_4.token)).digest();
  assert.deepEqual(mac, signature(RFC7520_4_4.token));
});

test('RFC 8037 A.4: Ed25519 known answer', () => {
  const key = importTrustedKey({ ...RFC8037_A4.jwk, kid: 'rfc8037-a4', alg: 'EdDSA' });
  const parsed = kidlessKnownAnswer(RFC8037_A4.token, key, '{"alg":"EdDSA"}', Buffer.from(RFC8037_A4.payload, 'utf8'));
  assert.equal(parsed.signature.length, 64);
});

test('the known answers do not cross: each token is refused under every other RFC key', () => {
  const cases: [string, TrustedKey][] = [
    [RFC7515_A1.token, importTrustedKey({ ...RFC7515_A1.jwk, kid: 'k', alg: 'HS256' }, HS256_ONLY)],
    [RFC7515_A2.token, importTrustedKey({ ...RFC7515_A2.jwk, kid: 'k', alg: 'RS256' })],
    [RFC7515_A3.token, importTrustedKey({ ...RFC7515_A3.jwk, kid: 'k', alg: 'ES256' })],
    [RFC8037_A4.token, importTrustedKey({ ...RFC8037_A4.jwk, kid: 'k', alg: 'EdDSA' })],
    [RFC7520_4_1.token, importTrustedKey(RFC7520_4_1.jwk)],
    [RFC7520_4_4.token, importTrustedKey(RFC7520_4_4.jwk, HS256_ONLY)],
  ];
  let checked = 0;
  for (const [token, key] of cases) assert.equal(checkWith(token, key), 'ok');
  cases.forEach(([token], i) => {
    cases.forEach(([, key], j) => {
      if (i === j) return;
      checked++;
      const outcome = checkWith(token, key);
      assert.ok(outcome === 'alg_not_allowed' || outcome === 'bad_signature', `token ${i} under key ${j}: ${outcome}`);
    });
  });
  assert.equal(checked, cases.length * (cases.length - 1));
});
