import { MAX_ACCESS_TOKEN_TTL_SECONDS } from '../../tokens/access-token-ttl.ts';
import { DEFAULT_TOKENS, MAX_LEEWAY_SECONDS } from '../defaults.ts';
import { INVALID, optional, readFields, reader, reject, type Reader } from '../readers.ts';
import type { TokensConfig } from '../types.ts';
import { duration, formatDuration } from '../values/duration.ts';

/** `tokens: { accessTtl, refreshIdle, refreshMax, leeway }`, all optional. */
export const tokensSection: Reader<TokensConfig> = reader('a mapping with accessTtl, refreshIdle, refreshMax and leeway', (value) => {
  const read = readFields(value, {
    accessTtl: optional(duration({ max: MAX_ACCESS_TOKEN_TTL_SECONDS, maxReason: 'the hard cap for access tokens' }), DEFAULT_TOKENS.accessTtlSeconds),
    refreshIdle: optional(duration(), DEFAULT_TOKENS.refreshIdleSeconds),
    refreshMax: optional(duration(), DEFAULT_TOKENS.refreshMaxSeconds),
    leeway: optional(duration({ min: 0, max: MAX_LEEWAY_SECONDS }), DEFAULT_TOKENS.leewaySeconds),
  }, tokensSection.expected);
  const fields = read === INVALID ? undefined : read.complete();
  if (read === INVALID || fields === undefined) return INVALID;
  const { accessTtl, refreshIdle, refreshMax, leeway } = fields;
  if (refreshMax < refreshIdle) {
    // Report where the writer can act: the key they wrote (refreshMax if present).
    const maxAt = read.mapping.at('refreshMax');
    const at = maxAt ?? read.mapping.at('refreshIdle') ?? value;
    return maxAt !== undefined
      ? reject(at, `a duration of at least refreshIdle (${formatDuration(refreshIdle)})`, { kind: 'conflict' })
      : reject(at, `a duration of at most refreshMax (${formatDuration(refreshMax)}, the default)`, { kind: 'conflict' });
  }
  return { accessTtlSeconds: accessTtl, refreshIdleSeconds: refreshIdle, refreshMaxSeconds: refreshMax, leewaySeconds: leeway };
});
