/**
 * `path: /a/**` or a list of globs: the normalized request path matches any of them. The globs
 * are the route table's (gateway/routing/path-glob.ts): one matcher, one meaning.
 */
import type { PathCondition } from '../../config/types.ts';
import { compilePathGlob } from '../../gateway/routing/path-glob.ts';
import { leafCondition, listed, type CompiledCondition } from '../compiled-condition.ts';

export function compile(condition: PathCondition): CompiledCondition {
  const globs = condition.paths.map(compilePathGlob);
  return leafCondition(
    condition,
    (request) => (globs.some((glob) => glob.matches(request.path)) ? 'path_matched' : 'path_not_matched'),
    (request, reason) => `path ${request.path} ${reason === 'path_matched' ? 'matches one of' : 'matches none of'} ${listed(condition.paths)}`,
  );
}
