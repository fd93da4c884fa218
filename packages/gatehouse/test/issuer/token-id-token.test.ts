/**
 * ID tokens under every signing algorithm the issuer supports: jose verifies them through the
 * jwks_uri (typ JWT), at_hash uses the algorithm's hash (SHA-512 for EdDSA, as OIDC clients compute
 * it), and openid-client accepts them in a code flow.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { SIGNING_ALGORITHMS } from '../../src/keys/signing-algorithms.ts';
import { accessTokenHash } from '../../src/issuer/tokens/mint-id-token.ts';
import { REDIRECT_URI, startIssuer } from '../support/issuer-harness.ts';
import { insertCode, redeemCode } from './token-helpers.ts';

describe('ID tokens for every signing algorithm', () => {
  for (const alg of SIGNING_ALGORITHMS) {
    it(`${alg}: jose and openid-client validate the ID token; at_hash matches`, async () => {
      const issuer = await startIssuer({ algorithm: alg });
      try {
        const alice = await issuer.addUser('alice', 'correct horse battery staple');
        const issued = await insertCode(issuer, { userId: alice, nonce: 'n-1' });
        const body = (await redeemCode(issuer, issued)).body;
        const jwks = createRemoteJWKSet(new URL(issuer.services.urls.jwks));
        const { payload, protectedHeader } = await jwtVerify(body.id_token, jwks, { typ: 'JWT', issuer: issuer.url, audience: 'web', algorithms: [alg] });
        assert.equal(protectedHeader.alg, alg);
        const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(body.access_token).digest();
        assert.equal(payload.at_hash, digest.subarray(0, digest.length / 2).toString('base64url'));
        assert.equal(accessTokenHash(body.access_token, alg), payload.at_hash);

        const config = await oidc.discovery(new URL(issuer.url), 'web', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
        const verifier = oidc.randomPKCECodeVerifier();
        const { code } = await insertCode(issuer, { userId: alice, nonce: 'n-2', challenge: await oidc.calculatePKCECodeChallenge(verifier) });
        const callback = new URL(`${REDIRECT_URI}?code=${code}&state=s&iss=${encodeURIComponent(issuer.url)}`);
        const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedNonce: 'n-2', expectedState: 's', idTokenExpected: true });
        assert.equal(tokens.claims()?.sub, alice);
      } finally {
        await issuer.close();
      }
    });
  }
});
