/**
 * Property test: every change to a valid token is refused. A seeded PRNG (mulberry32) drives the
 * mutations: the seed is in the test name, and GATEHOUSE_FUZZ_SEED (decimal or 0x-hex) replays or
 * varies the choice of mutations. Keys and ECDSA/PSS signatures are fresh each run, so a failure
 * message prints the mutated and the original token in full. Each mutated token is verified by a verifier that has
 * the original cached and by one without a cache; both must refuse, with the same registered
 * reason, and the originals must still pass afterwards.
 */
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { describe, it } from 'node:test';
import { importTrustedKey, REASON_CODES, type VerifyResult } from '@gatehouse/verify';
import { getFixtures, utf16Alias } from './support/cases.ts';
import { accessHeader, accessToken, b64url, explain, generateSigner, makeVerifier, parts, segment, signSegments, type Signer, type TestKey } from './support/tokens.ts';

const DEFAULT_SEED = 0x6a7e5eed;
const MUTATIONS_PER_ALGORITHM = 600; // × 4 algorithms = 2,400
const TOKENS_PER_ALGORITHM = 4;

function seedFromEnvironment(): number {
  const raw = process.env.GATEHOUSE_FUZZ_SEED;
  if (raw === undefined || raw === '') return DEFAULT_SEED;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new TypeError(`GATEHOUSE_FUZZ_SEED must be an integer, got ${JSON.stringify(raw)}`);
  return value >>> 0;
}

const SEED = seedFromEnvironment();
const SEED_LABEL = `0x${SEED.toString(16)}`;

/** mulberry32: a tiny, well-mixed 32-bit PRNG; enough to drive mutations reproducibly. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  readonly #next: () => number;
  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }
  int(maxExclusive: number): number {
    return Math.floor(this.#next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.#next() < p;
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ODD_ASCII = '.=+/ \t\n\r"\\%~!*\u0000\u007f';

/** A character to write: mostly base64url, sometimes other ASCII, sometimes non-ASCII. */
function randomChar(rng: Random): string {
  const roll = rng.int(10);
  if (roll < 7) return rng.pick([...ALPHABET]);
  if (roll < 9) return rng.pick([...ODD_ASCII]);
  return String.fromCharCode(0x80 + rng.int(0xff80)); // any non-ASCII UTF-16 code unit
}

interface Mutation {
  readonly kind: string;
  readonly token: string;
}

type Mutator = (token: string, rng: Random) => Mutation;

/** Signers of every other algorithm, to put under a header naming that algorithm. */
interface AltSigners {
  readonly byAlg: Record<string, Signer | undefined>;
}

function makeMutators(alt: AltSigners): Mutator[] {
  const replaceAt = (s: string, i: number, c: string) => s.slice(0, i) + c + s.slice(i + 1);
  return [
    function flipDecodedBit(token, rng) {
      const segs = token.split('.');
      const which = rng.int(3);
      const bytes = Buffer.from(segs[which]!, 'base64url');
      const bit = rng.int(bytes.length * 8);
      bytes[bit >> 3] = bytes[bit >> 3]! ^ (1 << (bit & 7));
      segs[which] = b64url(bytes);
      return { kind: `flip a bit of the decoded ${['header', 'payload', 'signature'][which]}`, token: segs.join('.') };
    },
    function changeCharacter(token, rng) {
      return { kind: 'change one character', token: replaceAt(token, rng.int(token.length), randomChar(rng)) };
    },
    function insertCharacter(token, rng) {
      const i = rng.int(token.length + 1);
      return { kind: 'insert a character', token: token.slice(0, i) + randomChar(rng) + token.slice(i) };
    },
    function deleteCharacter(token, rng) {
      const i = rng.int(token.length);
      return { kind: 'delete a character', token: token.slice(0, i) + token.slice(i + 1) };
    },
    function swapAdjacent(token, rng) {
      const i = rng.int(token.length - 1);
      return { kind: 'swap two adjacent characters', token: token.slice(0, i) + token[i + 1] + token[i] + token.slice(i + 2) };
    },
    function swapSegments(token, rng) {
      const segs = token.split('.');
      const a = rng.int(3);
      const b = (a + 1 + rng.int(2)) % 3;
      [segs[a], segs[b]] = [segs[b]!, segs[a]!];
      return { kind: 'swap two segments', token: segs.join('.') };
    },
    function duplicateSegment(token, rng) {
      const segs = token.split('.');
      const which = rng.int(3);
      if (rng.chance(0.5)) {
        segs.splice(which, 0, segs[which]!); // four parts
      } else {
        segs[(which + 1 + rng.int(2)) % 3] = segs[which]!; // three parts, one repeated
      }
      return { kind: 'duplicate a segment', token: segs.join('.') };
    },
    function dropSegment(token, rng) {
      const segs = token.split('.');
      segs.splice(rng.int(3), 1);
      return { kind: 'drop a segment', token: segs.join('.') };
    },
    function changeCase(token, rng) {
      if (rng.chance(0.3)) {
        const segs = token.split('.');
        const which = rng.int(3);
        segs[which] = rng.chance(0.5) ? segs[which]!.toUpperCase() : segs[which]!.toLowerCase();
        return { kind: 'change the case of a segment', token: segs.join('.') };
      }
      const letters = [...token].flatMap((c, i) => (/[A-Za-z]/.test(c) ? [i] : []));
      const i = rng.pick(letters);
      const c = token[i]!;
      return { kind: 'change the case of a letter', token: replaceAt(token, i, c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) };
    },
    function resignWithAnotherAlg(token, rng) {
      const [h, p, s] = parts(token);
      const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
      const names = Object.keys(alt.byAlg).filter((name) => name !== header.alg);
      const alg = rng.pick(names);
      const newHeader = segment({ ...header, alg });
      const signer = alt.byAlg[alg];
      if (signer !== undefined && rng.chance(0.8)) {
        return { kind: `header alg ${alg}, re-signed`, token: signSegments(newHeader, p, signer) };
      }
      return { kind: `header alg ${alg}, signature kept`, token: `${newHeader}.${p}.${s}` };
    },
    function truncate(token, rng) {
      return { kind: 'truncate', token: token.slice(0, rng.int(token.length)) };
    },
    function append(token, rng) {
      let tail = '';
      for (let n = 1 + rng.int(4); n > 0; n--) tail += randomChar(rng);
      return { kind: 'append', token: token + tail };
    },
  ];
}

const registered = new Set<string>(REASON_CODES);

function assertRefused(result: VerifyResult, context: string): string {
  assert.equal(result.ok, false, `accepted: ${context}`);
  if (result.ok) return 'ok';
  assert.ok(registered.has(result.reason), `unregistered reason ${String(result.reason)}: ${context}`);
  return result.reason;
}

const fixtures = getFixtures();
const subjects: readonly TestKey[] = [fixtures.es256, fixtures.rs256, fixtures.ps256, fixtures.eddsa];

// Attacker signers for every algorithm name a header may be switched to; HMAC is keyed with the
// ES256 key's public PEM (the classic confusion). 'none' and unknown names get no signer.
const victimPem = createPublicKey(fixtures.es256.privateKey).export({ type: 'spki', format: 'pem' }) as string;
const attackerRsa = fixtures.foreign.RS256.privateKey;
const alt: AltSigners = {
  byAlg: {
    ES256: fixtures.attackerEs256,
    ES384: fixtures.es384,
    ES512: fixtures.es512,
    ES256K: fixtures.es256k,
    RS256: { alg: 'RS256', privateKey: attackerRsa },
    RS384: { alg: 'RS384', privateKey: attackerRsa },
    PS256: { alg: 'PS256', privateKey: attackerRsa },
    PS512: { alg: 'PS512', privateKey: attackerRsa },
    EdDSA: fixtures.attackerEdDSA,
    HS256: { alg: 'HS256', privateKey: Buffer.from(victimPem) },
    HS512: { alg: 'HS512', privateKey: Buffer.from(victimPem) },
    none: undefined,
    None: undefined,
    es256: undefined,
    Ed25519: undefined,
  },
};
const mutators = makeMutators(alt);

describe(`random mutations of valid tokens (seed ${SEED_LABEL}; set GATEHOUSE_FUZZ_SEED to vary)`, () => {
  const cachedVerifier = makeVerifier(subjects);
  const uncachedVerifier = makeVerifier(subjects, { cache: false });
  const originals = new Map<TestKey, string[]>();
  for (const key of subjects) {
    const tokens: string[] = [];
    for (let i = 0; i < TOKENS_PER_ALGORITHM; i++) {
      tokens.push(accessToken(key, { claims: i % 2 === 0 ? { roles: ['admin'], sid: `s-${i}` } : { aud: ['orders', 'billing'] } }));
    }
    originals.set(key, tokens);
  }

  subjects.forEach((key, index) => {
    it(`${MUTATIONS_PER_ALGORITHM} mutations of ${key.alg} tokens are all refused (seed ${SEED_LABEL})`, () => {
      const rng = new Random((SEED + index * 0x9e3779b9) >>> 0);
      const tokens = originals.get(key)!;
      for (const token of tokens) {
        const first = cachedVerifier.verifySync(token);
        assert.equal(first.ok, true, explain(first));
      }
      const kinds = new Map<string, number>();
      const reasons = new Map<string, number>();
      let done = 0;
      let attempts = 0;
      while (done < MUTATIONS_PER_ALGORITHM) {
        assert.ok(++attempts < MUTATIONS_PER_ALGORITHM * 4, 'too many mutations left the token unchanged');
        const original = rng.pick(tokens);
        const mutator = rng.pick(mutators);
        const mutation = mutator(original, rng);
        if (mutation.token === original) continue; // only tokens that differ must fail
        // Keys and ECDSA/PSS signatures are random, so a failure message carries both tokens in full.
        const context = `${key.alg}, ${mutation.kind}: ${JSON.stringify(mutation.token)} (from ${JSON.stringify(original)})`;
        let cached: VerifyResult;
        let uncached: VerifyResult;
        try {
          cached = cachedVerifier.verifySync(mutation.token);
          uncached = uncachedVerifier.verifySync(mutation.token);
        } catch (error) {
          assert.fail(`verifier threw (${(error as Error).message}): ${context}`);
        }
        const reason = assertRefused(cached, context);
        assert.equal(assertRefused(uncached, context), reason, `cached and uncached verifiers disagree: ${context}`);
        kinds.set(mutator.name, (kinds.get(mutator.name) ?? 0) + 1);
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        done++;
      }
      // The mutation operators all ran (a generator that silently produced nothing would pass).
      assert.deepEqual([...kinds.keys()].sort(), mutators.map((m) => m.name).sort(), 'every mutation operator ran');
      // ...and they reach every layer: encoding, header, payload, algorithm and signature checks.
      for (const layer of ['malformed_token', 'malformed_header', 'malformed_payload', 'alg_not_allowed', 'bad_signature']) {
        assert.ok(reasons.has(layer), `no mutation reached ${layer}: ${JSON.stringify(Object.fromEntries(reasons))}`);
      }
      if (process.env.GATEHOUSE_FUZZ_VERBOSE) console.log(key.alg, Object.fromEntries(reasons), Object.fromEntries(kinds));
      for (const token of tokens) {
        const again = cachedVerifier.verifySync(token);
        assert.equal(again.ok && again.cached, true, `original after mutations (cached): ${explain(again)}`);
        const fresh = uncachedVerifier.verifySync(token);
        assert.equal(fresh.ok, true, `original after mutations (uncached): ${explain(fresh)}`);
      }
    });
  });
});

describe('exhaustive one-character changes of an ES256 token', () => {
  const key = fixtures.es256;
  const token = accessToken(key);
  const verifier = makeVerifier([key], { cache: false });
  const [h, p] = parts(token);
  // A position in each part (and the two separators).
  const positions = [2, h.length, h.length + 1 + Math.floor(p.length / 2), h.length + 1 + p.length, token.length - 2];

  function check(candidate: string, context: string): void {
    if (candidate === token) return;
    assertRefused(verifier.verifySync(candidate), context);
  }

  it('the token itself verifies (control)', () => {
    assert.equal(verifier.verifySync(token).ok, true);
  });

  it('every substitution by a byte value 0–255 is refused', () => {
    let checked = 0;
    for (const at of positions) {
      for (let code = 0; code < 256; code++) {
        const candidate = token.slice(0, at) + String.fromCharCode(code) + token.slice(at + 1);
        check(candidate, `substitute U+${code.toString(16).padStart(4, '0')} at ${at}`);
        checked++;
      }
    }
    assert.equal(checked, positions.length * 256);
  });

  it('every insertion of a character outside base64url is refused', () => {
    for (const at of positions) {
      for (let code = 0; code < 256; code++) {
        const c = String.fromCharCode(code);
        if (ALPHABET.includes(c)) continue;
        check(token.slice(0, at) + c + token.slice(at), `insert U+${code.toString(16).padStart(4, '0')} at ${at}`);
      }
    }
  });

  it('every character replaced by a UTF-16 unit with the same low byte is refused', () => {
    const accepted: number[] = [];
    for (let at = 0; at < token.length; at++) {
      if (token[at] === '.') continue;
      const result = verifier.verifySync(utf16Alias(token, at));
      if (result.ok) accepted.push(at);
    }
    assert.equal(accepted.length, 0, `${accepted.length} of ${token.length - 2} positions accept an aliased character (first at ${accepted[0]})`);
  });
});

// The re-signing mutation builds genuine signatures: under a verifier that trusts the attacker's
// key the re-signed token is accepted, so its refusal elsewhere is the key rule, not a broken token.
describe('mutation helpers', () => {
  it('a header re-signed by another key verifies only under that key', () => {
    const attacker = generateSigner('ES256');
    const [, p] = parts(accessToken(fixtures.es256));
    const resigned = signSegments(segment(accessHeader({ alg: 'ES256', kid: 'attacker' })), p, attacker);
    const attackerJwk = { ...(attacker.publicKey.export({ format: 'jwk' }) as Record<string, string>), kid: 'attacker', alg: 'ES256' };
    assert.equal(makeVerifier([importTrustedKey(attackerJwk)]).verifySync(resigned).ok, true);
    const refused = makeVerifier([fixtures.es256]).verifySync(resigned);
    assert.equal(refused.ok ? 'ok' : refused.reason, 'unknown_kid');
  });
});
