import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { createMasterKeyFile, loadMasterKey, MASTER_KEY_ENV, parseMasterKey, sealPrivateKey, unsealPrivateKey } from 'gatehouse';

const codeOf = (code: string) => (error: unknown) => (error as { code?: string }).code === code;
const KEY_BYTES = randomBytes(32);
const KEY_TEXT = KEY_BYTES.toString('base64url');
const posix = process.platform !== 'win32';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-master-key-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function keyFile(name: string, content: string, mode: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content, { mode });
  await chmod(path, mode); // writeFile's mode is filtered by the umask
  return path;
}

describe('master key: parsing', () => {
  it('takes canonical base64url of exactly 32 bytes, with at most one trailing newline', () => {
    for (const text of [KEY_TEXT, `${KEY_TEXT}\n`, `${KEY_TEXT}\r\n`]) {
      const key = parseMasterKey(text, 'test');
      assert.equal(key.type, 'secret');
      assert.equal(key.symmetricKeySize, 32);
      assert.deepEqual(key.export(), KEY_BYTES);
    }
  });

  it('refuses a wrong length', () => {
    for (const bytes of [0, 16, 31, 33, 64]) {
      assert.throws(() => parseMasterKey(randomBytes(bytes).toString('base64url'), 'test'), codeOf('master_key_invalid'), String(bytes));
    }
  });

  it('refuses non-canonical encodings', () => {
    // 43 characters carry 32 bytes and 2 spare bits, which canonical base64url leaves at zero.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const altered = KEY_TEXT.slice(0, -1) + alphabet.charAt(alphabet.indexOf(KEY_TEXT.at(-1)!) | 1);
    const variants = [
      `${KEY_TEXT}=`, // padding
      KEY_BYTES.toString('base64'), // standard alphabet with padding
      ` ${KEY_TEXT}`,
      `${KEY_TEXT.slice(0, 20)} ${KEY_TEXT.slice(20)}`,
      `${KEY_TEXT}\n\n`,
      altered, // non-zero trailing bits decode to the same bytes in a lax decoder
    ];
    assert.deepEqual(Buffer.from(altered, 'base64url'), KEY_BYTES);
    for (const text of variants) {
      assert.throws(() => parseMasterKey(text, 'test'), codeOf('master_key_invalid'), JSON.stringify(text));
    }
  });

  it('holds the key in a KeyObject that prints without its bytes', () => {
    const key = parseMasterKey(KEY_TEXT, 'test');
    assert.ok(!inspect(key, { showHidden: true }).includes(KEY_TEXT));
    assert.ok(!JSON.stringify({ key }).includes(KEY_TEXT));
  });
});

describe('master key: loading', () => {
  it(`reads ${MASTER_KEY_ENV}`, async () => {
    const loaded = await loadMasterKey({ env: { [MASTER_KEY_ENV]: KEY_TEXT } });
    assert.equal(loaded.source, 'env');
    assert.deepEqual(loaded.key.export(), KEY_BYTES);
  });

  it('says master_key_missing with neither the variable nor a key file', async () => {
    await assert.rejects(loadMasterKey({ env: {} }), codeOf('master_key_missing'));
    await assert.rejects(loadMasterKey({ env: { [MASTER_KEY_ENV]: '' } }), codeOf('master_key_missing'));
  });

  it('refuses an invalid variable (master_key_invalid), without falling back to the file', async () => {
    const path = await keyFile('fallback.key', KEY_TEXT, 0o600);
    await assert.rejects(loadMasterKey({ env: { [MASTER_KEY_ENV]: 'c2hvcnQ' }, keyFile: path }), codeOf('master_key_invalid'));
  });

  it('prefers the variable over the configured key file', async () => {
    const path = await keyFile('other.key', randomBytes(32).toString('base64url'), 0o600);
    const loaded = await loadMasterKey({ env: { [MASTER_KEY_ENV]: KEY_TEXT }, keyFile: path });
    assert.equal(loaded.source, 'env');
    assert.deepEqual(loaded.key.export(), KEY_BYTES);
  });

  it('reads a key file with mode 0600 or 0400', async () => {
    for (const mode of [0o600, 0o400]) {
      const path = await keyFile(`ok-${mode.toString(8)}.key`, `${KEY_TEXT}\n`, mode);
      const loaded = await loadMasterKey({ env: {}, keyFile: path });
      assert.equal(loaded.source, 'file');
      assert.deepEqual(loaded.key.export(), KEY_BYTES);
    }
  });

  it('refuses a key file readable by group or others (0644, 0640, 0604)', { skip: !posix && 'POSIX modes only' }, async () => {
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      const path = await keyFile(`open-${mode.toString(8)}.key`, KEY_TEXT, mode);
      await assert.rejects(loadMasterKey({ env: {}, keyFile: path }), codeOf('master_key_invalid'), mode.toString(8));
    }
  });

  it('refuses a key file of the wrong length or encoding', async () => {
    const short = await keyFile('short.key', randomBytes(16).toString('base64url'), 0o600);
    await assert.rejects(loadMasterKey({ env: {}, keyFile: short }), codeOf('master_key_invalid'));
    const padded = await keyFile('padded.key', KEY_BYTES.toString('base64'), 0o600);
    await assert.rejects(loadMasterKey({ env: {}, keyFile: padded }), codeOf('master_key_invalid'));
  });

  it('says master_key_missing for a key file that does not exist, master_key_invalid for a directory', async () => {
    await assert.rejects(loadMasterKey({ env: {}, keyFile: join(dir, 'absent.key') }), codeOf('master_key_missing'));
    await assert.rejects(loadMasterKey({ env: {}, keyFile: dir }), codeOf('master_key_invalid'));
  });
});

describe('master key: creating a key file', () => {
  it('writes a random key with mode 0600 that loads back as the returned key', async () => {
    const path = join(dir, 'new.key');
    const created = await createMasterKeyFile(path);
    if (posix) assert.equal((await stat(path)).mode & 0o777, 0o600);
    const loaded = await loadMasterKey({ env: {}, keyFile: path });
    assert.deepEqual(loaded.key.export(), created.export());
    assert.equal(created.symmetricKeySize, 32);
    const sealed = sealPrivateKey('secret', 'kid', created);
    assert.equal(unsealPrivateKey(sealed, 'kid', loaded.key), 'secret');
  });

  it('never overwrites an existing key file', async () => {
    const path = join(dir, 'existing.key');
    await createMasterKeyFile(path);
    const content = await readFile(path, 'utf8');
    await assert.rejects(createMasterKeyFile(path), (error: NodeJS.ErrnoException) => error.code === 'EEXIST');
    assert.equal(await readFile(path, 'utf8'), content);
  });

  it('makes a different key every time', async () => {
    const a = await createMasterKeyFile(join(dir, 'a.key'));
    const b = await createMasterKeyFile(join(dir, 'b.key'));
    assert.notDeepEqual(a.export(), b.export());
  });
});
