import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SigningKeySource } from '../../keys/unseal-signing-key.ts';
import type { SigningAlgorithm } from '../../keys/signing-algorithms.ts';

/** OIDC Core §2 leaves the lifetime to us: long enough to be validated once, short enough not to be a session. */
export const ID_TOKEN_TTL_SECONDS = 300;

export interface IdTokenMinterOptions {
  readonly issuer: string;
  readonly keys: SigningKeySource;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
}

export interface IdTokenRequest {
  readonly subject: string;
  /** The `aud`: the client the ID token is for. */
  readonly clientId: string;
  /** When the person signed in (epoch ms); on refresh, still the original sign-in (OIDC Core §12.2). */
  readonly authTime: number | null;
  /** Echoed from the authorization request; never on refresh. */
  readonly nonce?: string | null;
  /** The session family: `sid`, which front- and back-channel logout key on. */
  readonly sessionId: string;
  /** The access token issued with it, for `at_hash`. */
  readonly accessToken: string;
}

export interface MintedIdToken {
  readonly token: string;
  readonly exp: number;
}

export type IdTokenMinter = (request: IdTokenRequest) => Promise<MintedIdToken>;

/**
 * The OpenID Connect ID token: header `{alg, kid, typ: "JWT"}` — deliberately not `at+jwt`, so no
 * verifier takes it for an access token — over iss, sub, aud (the client), exp, iat, auth_time,
 * nonce, sid and at_hash. It names the person and nothing more: profile data is at userinfo.
 */
export function createIdTokenMinter(options: IdTokenMinterOptions): IdTokenMinter {
  const { issuer, keys, clock } = options;
  return async function mintIdToken(request: IdTokenRequest): Promise<MintedIdToken> {
    const key = keys.signingKey();
    const iat = Math.floor(clock() / 1000);
    const exp = iat + ID_TOKEN_TTL_SECONDS;
    const payload: Record<string, unknown> = { iss: issuer, sub: request.subject, aud: request.clientId, exp, iat };
    if (request.authTime !== null) payload.auth_time = Math.floor(request.authTime / 1000);
    if (request.nonce !== undefined && request.nonce !== null) payload.nonce = request.nonce;
    payload.sid = request.sessionId;
    payload.at_hash = accessTokenHash(request.accessToken, key.alg);
    const token = await new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
    return { token, exp };
  };
}

/**
 * OIDC Core §3.1.3.6: base64url of the left half of the hash of the access token's ASCII, with the
 * hash of the signing algorithm — SHA-256 for ES256/RS256/PS256, SHA-512 for EdDSA (Ed25519), as
 * OpenID Connect clients compute it.
 */
export function accessTokenHash(accessToken: string, alg: SigningAlgorithm): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
