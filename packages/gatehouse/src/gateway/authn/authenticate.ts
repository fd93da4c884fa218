import type { RouteConfig } from '../../config/index.ts';
import { ANONYMOUS, type PolicyIdentity } from '../../policy/policy-request.ts';
import type { Authenticated, AuthnOutcome, AuthnRequest, Authenticator, Refused } from './authenticator.ts';

/** No authenticator found a credential: policy decides whether the route admits that. */
export interface Anonymous {
  readonly kind: 'anonymous';
  readonly identity: PolicyIdentity;
}

export type AuthnResult = Authenticated | Refused | Anonymous;

export const ANONYMOUS_RESULT: Anonymous = Object.freeze({ kind: 'anonymous', identity: ANONYMOUS });

/**
 * Runs the chain in order and returns the first answer that is not `not_responsible`: a refusal
 * ends the chain (a bad Bearer token is not rescued by a good cookie, nor turned anonymous). Only
 * when every authenticator found nothing of its kind is the request anonymous. Synchronous while
 * the authenticators are; an authenticator that throws makes this throw (a server error), never
 * anonymous.
 */
export function authenticate(chain: readonly Authenticator[], request: AuthnRequest, route: RouteConfig): AuthnResult | Promise<AuthnResult> {
  return runFrom(chain, 0, request, route);
}

function runFrom(chain: readonly Authenticator[], start: number, request: AuthnRequest, route: RouteConfig): AuthnResult | Promise<AuthnResult> {
  for (let i = start; i < chain.length; i++) {
    const outcome = chain[i]!.authenticate(request, route);
    if (isPromise(outcome)) {
      return outcome.then((settled: AuthnOutcome) => (settled.kind === 'not_responsible' ? runFrom(chain, i + 1, request, route) : settled));
    }
    if (outcome.kind !== 'not_responsible') return outcome;
  }
  return ANONYMOUS_RESULT;
}

function isPromise(outcome: AuthnOutcome | Promise<AuthnOutcome>): outcome is Promise<AuthnOutcome> {
  return typeof (outcome as { then?: unknown }).then === 'function';
}
