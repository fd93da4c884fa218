import type { SealedPrivateKey } from './sealed-private-key.ts';
import type { SigningAlgorithm } from './signing-algorithms.ts';

/**
 * pending: published in JWKS, not signing yet. active: the one signing key. retiring: no longer
 * signs, stays published until every token it signed has expired. retired: gone from JWKS.
 * revoked: gone from JWKS at once and listed as revoked (an emergency, never a schedule).
 */
export type KeyState = 'pending' | 'active' | 'retiring' | 'retired' | 'revoked';

/** A public signing JWK as published: the key's public members only, plus kid, alg and use. */
export interface PublicSigningJwk {
  readonly kty: 'EC' | 'RSA' | 'OKP';
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly use: 'sig';
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly n?: string;
  readonly e?: string;
}

export interface JwksDocument {
  readonly keys: readonly PublicSigningJwk[];
}

/** A freshly generated key: its private half is already sealed. */
export interface NewSigningKey {
  /** RFC 7638 thumbprint (SHA-256) of the public key. */
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly publicJwk: PublicSigningJwk;
  readonly sealedPrivateKey: SealedPrivateKey;
}

/**
 * A signing key as the store keeps it (the signing_keys table). All instants are milliseconds since
 * the epoch. Records are plain and immutable: every lifecycle function returns new ones.
 */
export interface KeyRecord extends NewSigningKey {
  readonly state: KeyState;
  readonly createdAt: number;
  /**
   * Pending: when it is planned to start signing. From activation on: when it did (the step that
   * activates a key rewrites it, since a key activates early when there is no other, or as late as
   * the tick that sees it due). The rotation schedule counts from it.
   */
  readonly activatesAt: number;
  /** When it stopped signing. */
  readonly retiringAt?: number;
  /** When it leaves JWKS: retiringAt + max token lifetime + leeway. */
  readonly retireAfter?: number;
  readonly revokedAt?: number;
}

export type KeyEventType = 'key.created' | 'key.activated' | 'key.retiring' | 'key.retired' | 'key.revoked';

export interface KeyEvent {
  readonly type: KeyEventType;
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

/** Why the lifecycle asks for a new key: none yet, none usable left (after a revoke), or the schedule. */
export type KeyGenerationReason = 'initial' | 'replacement' | 'scheduled';

/** What every lifecycle step returns: all records after the step, the ones it changed, and what happened. */
export interface KeyTransition {
  readonly records: readonly KeyRecord[];
  /** New versions of records that existed before the step (a key added by the step is not here). */
  readonly changed: readonly KeyRecord[];
  readonly events: readonly KeyEvent[];
  /** Set when a new key must be generated (async, outside the pure core) and passed to addKey. */
  readonly generate: KeyGenerationReason | undefined;
}
