/**
 * Reloading `trust` and `tokens.leeway` through the assembled gateway: a trusted issuer added by a
 * reload is accepted on the next request, one removed is refused (wrong_issuer in the decision
 * line), a leeway change applies to the next request, and a reload whose trust JWKS file is
 * missing or invalid is refused while the running trust keeps working.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { GatehouseError } from '@gatehouse/verify';
import { startGatewayHarness, type GatewayHarness } from './support/e2e-gateway-harness.ts';

const IDP = 'https://idp.example.test';
const OTHER = 'https://other-idp.example.test';

let h: GatewayHarness;
let dir: string;
let idpKey: CryptoKey;
let jwksFile: string;

before(async () => {
  h = await startGatewayHarness();
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-trust-reload-'));
  const pair = await generateKeyPair('ES256', { extractable: true });
  idpKey = pair.privateKey;
  jwksFile = join(dir, 'idp.jwks.json');
  await writeFile(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' }] }));
});

after(async () => {
  await h?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** A trust section: the IdP above with this JWKS file, then any more entries as written. */
function trustSection(jwks: string = jwksFile, ...more: string[]): string {
  return ['trust:', `  - { issuer: "${IDP}", jwks: "${jwks}", audiences: [orders] }`, ...more].join('\n');
}

/** An access token of the trusted IdP with the billing role, which the orders route allows. */
function idpToken(options: { expiresIn?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + (options.expiresIn ?? 300);
  return new SignJWT({ iss: IDP, sub: 'dana', aud: 'orders', roles: ['billing'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'idp-1', typ: 'at+jwt' })
    .setIssuedAt(Math.min(now, exp - 60))
    .setExpirationTime(exp)
    .sign(idpKey);
}

async function request(token: string): Promise<{ status: number; reason: string | number | null; decision: string | number | null; sub: string | number | null }> {
  const response = await fetch(`${h.gatewayUrl}/orders/1`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  const line = await h.lineFor(response.headers.get('x-request-id') ?? undefined);
  return { status: response.status, reason: line.reason, decision: line.decision, sub: line.sub };
}

async function reloadWith(extraConfig: string) {
  await h.writeExtraConfig(extraConfig);
  return h.gateway.reload();
}

/** The IdP trusted, whatever an earlier test left running. */
async function trustIdp(): Promise<void> {
  const result = await reloadWith(trustSection());
  assert.notEqual(result.status, 'rejected', result.status === 'rejected' ? result.error.message : undefined);
}

describe('reloading trust', () => {
  it('a reload that adds a trusted issuer: its tokens are accepted on the next request', async () => {
    const token = await idpToken();
    assert.deepEqual(await request(token), { status: 401, reason: 'wrong_issuer', decision: 'deny', sub: null });

    const result = await reloadWith(trustSection());
    assert.equal(result.status, 'swapped', result.status === 'rejected' ? result.error.message : undefined);
    assert.deepEqual(await request(token), { status: 200, reason: null, decision: 'allow', sub: 'dana' });
    // The gateway's own tokens verify as before, with the new verifier.
    assert.equal((await request(await h.billingToken())).status, 200);
  });

  it('a reload that removes it: refused on the next request, wrong_issuer in the decision line', async () => {
    const token = await idpToken();
    assert.equal((await request(token)).status, 200, 'accepted, and now in the verified-token cache');

    assert.equal((await reloadWith('')).status, 'swapped');
    assert.deepEqual(await request(token), { status: 401, reason: 'wrong_issuer', decision: 'deny', sub: null });
  });

  it('a reload whose trust JWKS file is missing or invalid is refused, precisely; the running trust keeps working', async () => {
    await trustIdp();
    const token = await idpToken();
    const running = h.gateway.current();

    const missing = join(dir, 'other.jwks.json');
    const refused = await reloadWith(trustSection(jwksFile, `  - { issuer: "${OTHER}", jwks: "${missing}", audiences: [orders] }`));
    assert.equal(refused.status, 'rejected');
    const error = refused.status === 'rejected' ? refused.error : undefined;
    assert.ok(error instanceof GatehouseError);
    assert.equal(error.code, 'invalid_option');
    assert.equal(error.message, `trust[1] (${OTHER}): ${missing}: cannot read JWK Set file (ENOENT)`);
    assert.equal(h.gateway.current(), running, 'the running configuration and state stay');
    assert.deepEqual(await request(token), { status: 200, reason: null, decision: 'allow', sub: 'dana' });

    const broken = join(dir, 'broken.jwks.json');
    await writeFile(broken, '{"keys": [');
    const invalid = await reloadWith(trustSection(broken));
    assert.equal(invalid.status, 'rejected');
    assert.equal(invalid.status === 'rejected' && (invalid.error as GatehouseError).code, 'keyset_rejected');
    assert.match(invalid.status === 'rejected' ? invalid.error.message : '', new RegExp(`^trust\\[0\\] \\(${IDP.replaceAll('.', '\\.')}\\): ${broken.replaceAll('.', '\\.')}: JWK Set refused`));
    assert.equal(h.gateway.current(), running);
    // A token the running verifier has not seen yet: verified with the running trust, not just a cache hit.
    assert.deepEqual(await request(await idpToken({ expiresIn: 200 })), { status: 200, reason: null, decision: 'allow', sub: 'dana' });
  });

  it('a reload that leaves trust and the leeway as they were keeps the running token verifier (its cache, its JWKS clients)', async () => {
    await trustIdp();
    const before = h.gateway.current();
    assert.equal((await reloadWith(`${trustSection()}\n# new bytes, the same trust and leeway`)).status, 'swapped');
    assert.notEqual(h.gateway.current(), before);
    assert.equal(h.gateway.current().state.tokens, before.state.tokens);
  });
});

describe('reloading tokens.leeway', () => {
  it('applies to the next request: a token 20s past exp is accepted with 30s of leeway, refused with 5s', async () => {
    await trustIdp();
    const expired = await idpToken({ expiresIn: -20 });
    assert.deepEqual(await request(expired), { status: 200, reason: null, decision: 'allow', sub: 'dana' });

    assert.equal((await reloadWith(`${trustSection()}\ntokens: { leeway: 5s }`)).status, 'swapped');
    assert.equal(h.gateway.current().config.tokens.leewaySeconds, 5);
    const refused = await request(expired);
    assert.equal(refused.status, 401);
    assert.equal(refused.reason, 'token_expired');
  });
});
