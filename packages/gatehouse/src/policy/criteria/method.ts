/** `method: GET` or `method: [GET, HEAD]`: compared exactly (HEAD is not implied by GET). */
import type { MethodCondition } from '../../config/types.ts';
import { leafCondition, listed, type CompiledCondition } from '../compiled-condition.ts';

export function compile(condition: MethodCondition): CompiledCondition {
  const methods: ReadonlySet<string> = new Set(condition.methods);
  return leafCondition(
    condition,
    (request) => (methods.has(request.method) ? 'method_matched' : 'method_not_listed'),
    (request) => `method ${request.method}; the condition needs one of ${listed(condition.methods)}`,
  );
}
