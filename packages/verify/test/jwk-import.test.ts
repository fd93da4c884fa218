import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, verify as cryptoVerify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import {
  ASYMMETRIC_ALGORITHMS,
  GatehouseError,
  importTrustedKey,
  importTrustedKeySet,
  verifyCompactJws,
  type ImportedKeySet,
  type ImportKeyOptions,
} from '../src/index.ts';
import { hasRocaFingerprint, isRocaVulnerable, ROCA_PRIMES, ROCA_SUBGROUPS } from '../src/rsa-roca.ts';

// Wycheproof data lives outside the repo, in the shared folder next to it (/work/shared).
const VECTORS = new URL('../../../../shared/vectors/wycheproof/', import.meta.url);
const JWK_FILE = new URL('json_web_key_test.json', VECTORS);
if (!existsSync(JWK_FILE)) {
  throw new Error(`Wycheproof vectors not found at ${fileURLToPath(JWK_FILE)}: these tests cannot run without them`);
}

type Jwk = Record<string, unknown>;
interface JwkTest { tcId: number; comment: string; jws: string; result: 'valid' | 'invalid'; flags: string[] }
interface JwkGroup { comment: string; public?: { keys: Jwk[] }; private?: { keys: Jwk[] }; tests: JwkTest[] }
interface JwkFile { numberOfTests: number; testGroups: JwkGroup[] }

const vectors = JSON.parse(readFileSync(JWK_FILE, 'utf8')) as JwkFile;

function keySet(group: JwkGroup): { keys: Jwk[] } {
  const set = group.public ?? group.private;
  assert.ok(set !== undefined && Array.isArray(set.keys), `group ${group.comment} has no key set`);
  return set;
}

/** Symmetric sets are imported with HS* allowed; asymmetric ones with the default (every asymmetric algorithm). */
function optionsFor(set: { keys: Jwk[] }): ImportKeyOptions {
  // A set with any oct key gets HS* as well as the asymmetric algorithms, so that a mixed set is
  // refused for being mixed, not merely because one half is not allowed.
  return set.keys.some((k) => k.kty === 'oct') ? { algorithms: [...ASYMMETRIC_ALGORITHMS, 'HS256', 'HS384', 'HS512'] } : {};
}

function kidOf(jws: string): unknown {
  return (JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown }).kid;
}

/**
 * How the token ended: `set:<code>` when the whole set was refused, `skipped` when its key was left
 * out on import (so the token's kid is unknown), `verified`, or the refusal reason.
 */
function outcome(group: JwkGroup, c: JwkTest): string {
  const set = keySet(group);
  let imported: ImportedKeySet;
  try {
    imported = importTrustedKeySet(set, optionsFor(set));
  } catch (error) {
    assert.ok(error instanceof GatehouseError, String(error));
    return `set:${error.code}`;
  }
  const r = verifyCompactJws(c.jws, (kid) => imported.keys.find((k) => k.kid === kid));
  if (r.ok) return 'verified';
  if (r.reason === 'unknown_kid' && imported.skipped.some((s) => s.kid === kidOf(c.jws))) return 'skipped';
  return r.reason;
}

// The exact end of every case. Invalid ones must end refused one way or another; valid ones verify.
const EXPECTED: Readonly<Record<number, string>> = {
  1: 'set:keyset_rejected', // symmetric and asymmetric keys in one set
  2: 'verified',
  3: 'bad_signature',
  4: 'set:keyset_rejected', // duplicate kid
  5: 'verified',
  6: 'skipped', // use: enc
  7: 'skipped', // ROCA (CVE-2017-15361)
  8: 'skipped', // 1024-bit RSA
  9: 'skipped', // e = 1
  10: 'skipped', // HS256 key of 31 bytes
  11: 'skipped', // HS384 key of 47 bytes
  12: 'skipped', // HS512 key of 63 bytes
  13: 'verified',
  14: 'verified',
  15: 'verified',
  16: 'skipped', // empty HMAC keys
  17: 'skipped',
  18: 'skipped',
  19: 'skipped', // alg ES521 (not a JWA algorithm)
  20: 'skipped', // alg ES224
  21: 'skipped', // use: enc
  22: 'skipped', // point not on the curve
  23: 'skipped', // P-256 coordinates labelled P-384
  24: 'skipped', // EC members labelled kty RSA
  25: 'skipped', // A256GCM key
  26: 'skipped', // A256KW key
};

test('Wycheproof json_web_key_test.json: every key set imported, every token verified or refused', (t) => {
  let ran = 0;
  const wrong: string[] = [];
  for (const group of vectors.testGroups) {
    for (const c of group.tests) {
      ran++;
      const got = outcome(group, c);
      if ((got === 'verified') !== (c.result === 'valid')) wrong.push(`tcId ${c.tcId} (${c.result}, ${c.comment}): ${got}`);
      if (got !== EXPECTED[c.tcId]) wrong.push(`tcId ${c.tcId} (${c.comment}): ${got}, want ${EXPECTED[c.tcId]}`);
      // A skipped key is refused on its own too, with the typed error.
      if (got === 'skipped') {
        const key = keySet(group).keys.find((k) => k.kid === kidOf(c.jws));
        assert.throws(() => importTrustedKey(key, optionsFor(keySet(group))), (e: unknown) => e instanceof GatehouseError && e.code === 'key_rejected', `tcId ${c.tcId}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
  assert.equal(ran, vectors.numberOfTests);
  assert.equal(Object.keys(EXPECTED).length, vectors.numberOfTests);
  t.diagnostic(`${ran} of ${vectors.numberOfTests} cases run`);
});

// ---------------------------------------------------------------------------------------------
// ROCA (CVE-2017-15361)
// ---------------------------------------------------------------------------------------------

function rocaGroup(): JwkGroup {
  const group = vectors.testGroups.find((g) => g.tests.some((c) => c.tcId === 7));
  assert.ok(group !== undefined);
  assert.equal(group.tests[0]?.comment, 'rejectsKeyWithRocaVulnerability');
  return group;
}

function modulus(jwk: Jwk): bigint {
  assert.equal(typeof jwk.n, 'string');
  return BigInt(`0x${Buffer.from(jwk.n as string, 'base64url').toString('hex')}`);
}

// The fingerprint masks published with the paper's detector (github.com/crocs-muni/roca,
// fingerprint/detect.py "prints"): bit r is set when r is a power of 65537 modulo the prime.
const PUBLISHED_MASKS: readonly bigint[] = [
  6n, 30n, 126n, 1026n, 5658n, 107286n, 199410n, 8388606n, 536870910n, 2147483646n, 67109890n, 2199023255550n,
  8796093022206n, 140737488355326n, 5310023542746834n, 576460752303423486n, 1455791217086302986n,
  147573952589676412926n, 20052041432995567486n, 6041388139249378920330n, 207530445072488465666n,
  9671406556917033397649406n, 618970019642690137449562110n, 79228162521181866724264247298n,
  2535301200456458802993406410750n, 1760368345969468176824550810518n, 50079290986288516948354744811034n,
  473022961816146413042658758988474n, 10384593717069655257060992658440190n,
  144390480366845522447407333004847678774n, 2722258935367507707706996859454145691646n,
  174224571863520493293247799005065324265470n, 696898287454081973172991196020261297061886n,
  713623846352979940529142984724747568191373310n, 1800793591454480341970779146165214289059119882n,
  126304807362733370595828809000324029340048915994n, 11692013098647223345629478661730264157247460343806n,
  187072209578355573530071658587684226515959365500926n,
];

test('ROCA: the subgroups derived from 65537 equal the published fingerprint masks', () => {
  assert.equal(ROCA_PRIMES.length, 38);
  assert.equal(ROCA_SUBGROUPS.length, PUBLISHED_MASKS.length);
  ROCA_SUBGROUPS.forEach(({ prime, residues }, i) => {
    assert.equal(prime, ROCA_PRIMES[i]);
    let mask = 0n;
    for (const r of residues) mask |= 1n << BigInt(r);
    assert.equal(mask, PUBLISHED_MASKS[i], `prime ${prime}`);
  });
});

test('ROCA: Wycheproof tcId 7 has the fingerprint and is refused with key_rejected', () => {
  const group = rocaGroup();
  const jwk = keySet(group).keys[0];
  assert.ok(jwk !== undefined);
  assert.equal(hasRocaFingerprint(modulus(jwk)), true);
  assert.throws(() => importTrustedKey(jwk), (e: unknown) => e instanceof GatehouseError && e.code === 'key_rejected');

  // Nothing else is wrong with the key: it is large enough, e = 65537, and the token's signature is
  // genuine (node:crypto verifies it directly). Only the ROCA check stands between it and trust.
  const keyObject = createPublicKey({ key: { kty: 'RSA', n: jwk.n as string, e: jwk.e as string }, format: 'jwk' });
  assert.ok((keyObject.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048);
  assert.equal(keyObject.asymmetricKeyDetails?.publicExponent, 65537n);
  assert.equal(isRocaVulnerable(keyObject), true);
  const token = group.tests[0]?.jws ?? '';
  const [header = '', payload = '', signature = ''] = token.split('.');
  assert.equal(cryptoVerify('sha256', Buffer.from(`${header}.${payload}`), keyObject, Buffer.from(signature, 'base64url')), true);
});

test('ROCA: a freshly generated 2048-bit key has no fingerprint and imports', () => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' }) as Jwk;
  assert.equal(hasRocaFingerprint(modulus(jwk)), false);
  assert.equal(isRocaVulnerable(publicKey), false);
  assert.equal(importTrustedKey({ ...jwk, alg: 'RS256' }).alg, 'RS256');
});

test('ROCA: one residue outside its subgroup clears the fingerprint', () => {
  const n = modulus(keySet(rocaGroup()).keys[0] ?? {});
  // Adding the product of every listed prime but 3 keeps all residues except the one mod 3, which
  // moves to a non-residue (65537 ≡ 2 mod 3 generates all of {1, 2}, so aim for 0 instead).
  const others = ROCA_PRIMES.filter((p) => p !== 3).reduce((acc, p) => acc * BigInt(p), 1n);
  let shifted = n;
  while (shifted % 3n !== 0n) shifted += others;
  assert.equal(hasRocaFingerprint(shifted), false);
  // The same shift by the full product keeps every residue, so the fingerprint stays.
  assert.equal(hasRocaFingerprint(n + others * 3n), true);
  // Non-RSA keys are never flagged.
  assert.equal(isRocaVulnerable(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey), false);
});
