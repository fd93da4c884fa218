import type { FormParameters } from '../form-parameters.ts';
import { OAuthError } from '../oauth-error.ts';

/**
 * The audience asked for with RFC 8707 `resource`. One per token: several `resource` parameters
 * would make a token good at several services, which is what audiences exist to prevent, so that is
 * invalid_target rather than a multi-audience token. The value is the audience's name as the
 * configuration spells it (`orders`), compared exactly; it must be one of `allowed`. Without
 * `resource`, the only allowed audience if there is exactly one, else null (the caller decides).
 */
export function requestedAudience(form: FormParameters, allowed: readonly string[]): string | null {
  const resources = form.getAll('resource');
  if (resources.length > 1) throw new OAuthError('invalid_target', 'ask for one resource per token');
  const resource = resources[0];
  if (resource !== undefined) {
    if (!allowed.includes(resource)) throw new OAuthError('invalid_target', 'the requested resource is not allowed for this client');
    return resource;
  }
  return allowed.length === 1 ? allowed[0]! : null;
}

/**
 * The audiences a session may ask for: the one its authorization request named, or any of the
 * client's when it named none — in both cases only while the client still has them, so removing an
 * audience from a client's configuration stops it at once.
 */
export function audiencesStillAllowed(bound: string | null, clientAudiences: readonly string[]): readonly string[] {
  return bound === null ? clientAudiences : clientAudiences.filter((audience) => audience === bound);
}
