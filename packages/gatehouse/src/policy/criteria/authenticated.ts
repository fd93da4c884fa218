/**
 * `authenticated: true` passes when the request carries a verified credential; `authenticated:
 * false` passes when it carries none (an anonymous-only rule). It is the one identity condition
 * that decides on an anonymous request, so it is how a rule guards the others.
 */
import type { AuthenticatedCondition } from '../../config/types.ts';
import { leafCondition, type CompiledCondition } from '../compiled-condition.ts';

export function compile(condition: AuthenticatedCondition): CompiledCondition {
  const required = condition.authenticated;
  return leafCondition(
    condition,
    (request) => (request.identity.authenticated === required ? 'authentication_matched' : 'authentication_mismatched'),
    (request) =>
      `the request is ${request.identity.authenticated ? 'authenticated' : 'not authenticated'}; the condition requires it ${required ? 'to be' : 'not to be'}`,
  );
}
