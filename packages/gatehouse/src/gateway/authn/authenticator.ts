import type { IncomingHttpHeaders } from 'node:http';
import type { ReasonCode, VerifySuccess } from '@gatehouse/verify';
import type { RouteConfig } from '../../config/index.ts';
import type { PolicyIdentity } from '../../policy/policy-request.ts';

/**
 * What an authenticator sees of a request: its header fields, as node:http parsed them. An
 * IncomingMessage fits. `rawHeaders` lets the bearer authenticator see a repeated Authorization
 * field, which node:http silently drops from `headers` (it keeps the first).
 */
export interface AuthnRequest {
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders?: readonly string[];
}

/**
 * One way of presenting a credential (Bearer header, session cookie; later DPoP, mTLS). It answers
 * `not_responsible` when the request carries no credential of its kind, so the next one tries; a
 * credential of its kind that is present but bad is `refused`, never passed on (a bad token must
 * not end up anonymous: that would turn a 401 into public access on a route that allows it).
 * Synchronous when it can (a cached token), a promise when it must wait (keys being fetched).
 */
export interface Authenticator {
  readonly id: string;
  authenticate(request: AuthnRequest, route: RouteConfig): AuthnOutcome | Promise<AuthnOutcome>;
}

export type AuthnOutcome = NotResponsible | Authenticated | Refused;

export interface NotResponsible {
  readonly kind: 'not_responsible';
}

export const NOT_RESPONSIBLE: NotResponsible = Object.freeze({ kind: 'not_responsible' });

export interface Authenticated {
  readonly kind: 'authenticated';
  /** The authenticator that found the credential: the gateway applies the Origin check (CSRF) to cookie credentials. */
  readonly authenticator: string;
  readonly identity: PolicyIdentity;
  /** The verifier's answer: claims, kid, issuer, whether the signature check was cached. */
  readonly verified: VerifySuccess;
  /** Something the audit log should know although the token was accepted (a roles claim of the wrong shape). */
  readonly notes: readonly AuthnNote[];
}

export interface Refused {
  readonly kind: 'refused';
  readonly authenticator: string;
  readonly reason: ReasonCode;
  /** Precise, for the audit log and debugging tools; never for the wire (RFC 6750 allows only `invalid_token`). */
  readonly detail: string;
  /**
   * What the presented token says about itself, for the audit log. Not to be trusted unless
   * `signatureVerified` (see DecisionLog: sub, client_id, jti only when it was).
   */
  readonly unverified?: UnverifiedTokenFacts;
  /** The token's signature verified before it was refused: its sub, client_id and jti are the issuer's. */
  readonly signatureVerified: boolean;
}

export interface UnverifiedTokenFacts {
  readonly sub?: string;
  readonly client_id?: string;
  readonly jti?: string;
  readonly kid?: string;
}

/** Stable codes, like reason codes: the audit log and the console show them. */
export const AUTHN_NOTES = {
  roles_claim_unusable: 'The issuer\'s roles claim is present but is neither a string nor an array of strings: the identity has no roles.',
  scopes_claim_unusable: 'The `scp` claim is present but is neither a string nor an array of strings: the identity has no scopes.',
} as const;

export type AuthnNoteCode = keyof typeof AUTHN_NOTES;

export interface AuthnNote {
  readonly code: AuthnNoteCode;
  readonly detail: string;
}
