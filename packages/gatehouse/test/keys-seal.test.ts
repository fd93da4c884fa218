import assert from 'node:assert/strict';
import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { SealedPrivateKey, sealPrivateKey, unsealPrivateKey } from 'gatehouse';

const masterKey = createSecretKey(randomBytes(32));
const otherMasterKey = createSecretKey(randomBytes(32));
const PLAINTEXT = '-----BEGIN PRIVATE KEY-----\nnot really a key, but sealed all the same\n-----END PRIVATE KEY-----\n';
const KID = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
const codeOf = (code: string) => (error: unknown) => (error as { code?: string }).code === code;

/** Flips one bit in part `index` (1 iv, 2 ciphertext, 3 tag) of an envelope, keeping it canonical base64url. */
function flipBit(sealed: SealedPrivateKey, index: number): SealedPrivateKey {
  const parts = sealed.envelope().split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  bytes[0]! ^= 0x01;
  parts[index] = bytes.toString('base64url');
  return new SealedPrivateKey(parts.join('.'));
}

describe('sealed private keys (AES-256-GCM under the master key)', () => {
  it('round-trips', () => {
    const sealed = sealPrivateKey(PLAINTEXT, KID, masterKey);
    assert.equal(unsealPrivateKey(sealed, KID, masterKey), PLAINTEXT);
  });

  it('is a v1 envelope with a 96-bit iv and a 128-bit tag, and a fresh iv every time', () => {
    const a = sealPrivateKey(PLAINTEXT, KID, masterKey).envelope();
    const b = sealPrivateKey(PLAINTEXT, KID, masterKey).envelope();
    assert.match(a, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    assert.notEqual(a.split('.')[1], b.split('.')[1]);
    assert.notEqual(a, b);
    assert.ok(!a.includes('PRIVATE'));
  });

  it('refuses a wrong master key', () => {
    const sealed = sealPrivateKey(PLAINTEXT, KID, masterKey);
    assert.throws(() => unsealPrivateKey(sealed, KID, otherMasterKey), codeOf('key_unseal_failed'));
  });

  for (const [index, part] of [[1, 'iv'], [2, 'ciphertext'], [3, 'tag']] as const) {
    it(`refuses a tampered ${part}`, () => {
      const sealed = sealPrivateKey(PLAINTEXT, KID, masterKey);
      assert.throws(() => unsealPrivateKey(flipBit(sealed, index), KID, masterKey), codeOf('key_unseal_failed'));
    });
  }

  it('refuses a blob moved to another key record (the kid is authenticated data)', () => {
    const sealed = sealPrivateKey(PLAINTEXT, KID, masterKey);
    assert.throws(() => unsealPrivateKey(sealed, `${KID.slice(0, -1)}Y`, masterKey), codeOf('key_unseal_failed'));
  });

  it('refuses malformed envelopes', () => {
    const [, iv, ciphertext, tag] = sealPrivateKey(PLAINTEXT, KID, masterKey).envelope().split('.');
    const malformed = [
      '',
      `v2.${iv}.${ciphertext}.${tag}`, // unknown version
      `v1.${iv}.${ciphertext}`, // three parts
      `v1.${iv}.${ciphertext}.${tag}.x`, // five parts
      `v1.${iv}=.${ciphertext}.${tag}`, // padding
      `v1.${iv!.slice(0, -2)}.${ciphertext}.${tag}`, // short iv
      `v1.${iv}.${ciphertext}.${tag!.slice(0, -2)}`, // short tag
      `v1.${iv}..${tag}`, // empty ciphertext
      `v1.${iv}.${ciphertext!.replaceAll('-', '+').replaceAll('_', '/')}+/.${tag}`, // standard base64 alphabet
    ];
    for (const envelope of malformed) {
      assert.throws(() => unsealPrivateKey(new SealedPrivateKey(envelope), KID, masterKey), codeOf('key_unseal_failed'), envelope);
    }
  });

  it('refuses a master key that is not a 32-byte secret', () => {
    const short = createSecretKey(randomBytes(16));
    assert.throws(() => sealPrivateKey(PLAINTEXT, KID, short), codeOf('master_key_invalid'));
    const sealed = sealPrivateKey(PLAINTEXT, KID, masterKey);
    assert.throws(() => unsealPrivateKey(sealed, KID, short), codeOf('master_key_invalid'));
  });

  it('never prints the envelope: JSON, util.inspect and String all show a placeholder', () => {
    const sealed = sealPrivateKey(PLAINTEXT, KID, masterKey);
    const envelope = sealed.envelope();
    const record = { kid: KID, sealedPrivateKey: sealed };
    for (const printed of [JSON.stringify(record), inspect(record, { depth: 5, showHidden: true }), String(sealed), `${sealed}`]) {
      assert.ok(!printed.includes(envelope.split('.')[2]!), printed);
      assert.ok(printed.includes('sealed') || printed.includes('redacted'), printed);
    }
  });
});
