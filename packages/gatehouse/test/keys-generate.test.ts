import assert from 'node:assert/strict';
import { createSecretKey, randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { exportPKCS8, generateKeyPair, importJWK, jwtVerify, SignJWT } from 'jose';
import { importTrustedKey, jwkThumbprint } from '@gatehouse/verify';
import {
  addKey,
  generateSigningKey,
  RSA_MODULUS_BITS,
  sealPrivateKey,
  SIGNING_ALGORITHMS,
  unsealSigningKey,
  type NewSigningKey,
  type SigningAlgorithm,
} from 'gatehouse';

const masterKey = createSecretKey(randomBytes(32));
const codeOf = (code: string) => (error: unknown) => (error as { code?: string }).code === code;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'key_ops', 'ext'];
const EXPECTED = {
  ES256: { kty: 'EC', crv: 'P-256', members: ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'] },
  RS256: { kty: 'RSA', crv: undefined, members: ['alg', 'e', 'kid', 'kty', 'n', 'use'] },
  PS256: { kty: 'RSA', crv: undefined, members: ['alg', 'e', 'kid', 'kty', 'n', 'use'] },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', members: ['alg', 'crv', 'kid', 'kty', 'use', 'x'] },
} as const;

const record = (key: NewSigningKey) => addKey([], key, Date.UTC(2030, 0, 1)).added;

describe('signing key generation', () => {
  const keys = new Map<SigningAlgorithm, NewSigningKey>();
  before(async () => {
    for (const alg of SIGNING_ALGORITHMS) keys.set(alg, await generateSigningKey(alg, masterKey));
  });

  for (const alg of SIGNING_ALGORITHMS) {
    describe(alg, () => {
      it('has the RFC 7638 thumbprint as kid, and a public JWK with kid, alg and use: sig', () => {
        const key = keys.get(alg)!;
        assert.equal(key.alg, alg);
        assert.equal(key.kid, jwkThumbprint(key.publicJwk as unknown as Record<string, unknown>));
        assert.equal(key.publicJwk.kid, key.kid);
        assert.equal(key.publicJwk.alg, alg);
        assert.equal(key.publicJwk.use, 'sig');
        assert.equal(key.publicJwk.kty, EXPECTED[alg].kty);
        assert.equal(key.publicJwk.crv, EXPECTED[alg].crv);
        assert.deepEqual(Object.keys(key.publicJwk).sort(), EXPECTED[alg].members);
        for (const member of PRIVATE_MEMBERS) assert.ok(!(member in key.publicJwk), member);
      });

      it('is accepted by importTrustedKey as a key for exactly this algorithm', () => {
        const key = keys.get(alg)!;
        const trusted = importTrustedKey(key.publicJwk, { algorithms: [alg] });
        assert.equal(trusted.kid, key.kid);
        assert.equal(trusted.alg, alg);
        if (EXPECTED[alg].kty === 'RSA') assert.equal(trusted.keyObject.asymmetricKeyDetails?.modulusLength, RSA_MODULUS_BITS);
      });

      it('unseals to a non-extractable private key that signs what the public JWK verifies', async () => {
        const key = keys.get(alg)!;
        const signing = await unsealSigningKey(record(key), masterKey);
        assert.equal(signing.kid, key.kid);
        assert.equal(signing.alg, alg);
        assert.equal(signing.privateKey.extractable, false);
        const token = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg, kid: key.kid }).sign(signing.privateKey);
        const { payload, protectedHeader } = await jwtVerify(token, await importJWK(key.publicJwk, alg));
        assert.equal(payload.sub, 'alice');
        assert.equal(protectedHeader.kid, key.kid);
      });
    });
  }

  it('gives every key its own kid', async () => {
    const again = await generateSigningKey('ES256', masterKey);
    assert.notEqual(again.kid, keys.get('ES256')!.kid);
  });

  it('fails to unseal under another master key (key_unseal_failed)', async () => {
    const other = createSecretKey(randomBytes(32));
    await assert.rejects(unsealSigningKey(record(keys.get('ES256')!), other), codeOf('key_unseal_failed'));
  });

  it('refuses a sealed key that is not the key its kid names, even under the right master key', async () => {
    const victim = keys.get('ES256')!;
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const swapped = { ...victim, sealedPrivateKey: sealPrivateKey(await exportPKCS8(privateKey), victim.kid, masterKey) };
    await assert.rejects(unsealSigningKey(record(swapped), masterKey), codeOf('key_unseal_failed'));
  });

  it('refuses a sealed key of another algorithm than the record says', async () => {
    const ec = keys.get('ES256')!;
    await assert.rejects(unsealSigningKey({ ...record(ec), alg: 'EdDSA' }, masterKey), codeOf('key_unseal_failed'));
  });

  it('never prints private material', async () => {
    const key = keys.get('ES256')!;
    const signing = await unsealSigningKey(record(key), masterKey);
    const envelopeBody = key.sealedPrivateKey.envelope().split('.')[2]!;
    for (const printed of [JSON.stringify(record(key)), inspect(record(key), { depth: 5 }), JSON.stringify(signing), inspect(signing, { depth: 5 })]) {
      assert.ok(!printed.includes(envelopeBody));
      assert.ok(!printed.includes('"d"'));
      assert.ok(!printed.includes('PRIVATE KEY'));
    }
  });
});
