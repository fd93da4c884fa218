import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startIssuer } from './support/issuer-harness.ts';
test('harness serves discovery and JWKS', async () => {
  const issuer = await startIssuer();
  try {
    const meta = await (await fetch(`${issuer.url}/.well-known/openid-configuration`)).json() as any;
    assert.equal(meta.issuer, issuer.url);
    const jwks = await (await fetch(meta.jwks_uri)).json() as any;
    assert.equal(jwks.keys.length, 1);
    const rfc8414 = await (await fetch(`${issuer.url}/.well-known/oauth-authorization-server`)).json() as any;
    assert.deepEqual(rfc8414, meta);
    const id = await issuer.addUser('alice', 'correct horse battery staple', ['admin']);
    assert.ok(id);
  } finally { await issuer.close(); }
});
