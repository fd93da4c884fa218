/**
 * `${NAME}` interpolation from the environment, applied to string scalars only (never to keys,
 * numbers or booleans, and the result is always a string). `$${` is a literal `${`. There are no
 * defaults or nested expressions: a reference either resolves or is reported.
 */
export type Environment = Readonly<Record<string, string | undefined>>;

export interface Interpolation {
  readonly value: string;
  /** Whether any `${NAME}` was replaced: the value may then hold a secret and is never echoed. */
  readonly substituted: boolean;
  readonly missing: readonly string[];
  /** The first malformed reference, as written (`${foo-bar}`, `${` …); null when all are well formed. */
  readonly malformed: string | null;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function interpolate(template: string, env: Environment): Interpolation {
  if (!template.includes('${')) return { value: template, substituted: false, missing: [], malformed: null };
  let value = '';
  let substituted = false;
  const missing: string[] = [];
  let malformed: string | null = null;
  let index = 0;
  while (index < template.length) {
    if (template.startsWith('$${', index)) {
      value += '${';
      index += 3;
    } else if (template.startsWith('${', index)) {
      const end = template.indexOf('}', index + 2);
      const reference = end === -1 ? template.slice(index) : template.slice(index, end + 1);
      const name = end === -1 ? '' : template.slice(index + 2, end);
      if (end === -1 || !VARIABLE_NAME.test(name)) {
        malformed ??= reference;
        break;
      }
      const resolved = env[name];
      if (resolved === undefined) {
        if (!missing.includes(name)) missing.push(name);
      } else {
        value += resolved;
        substituted = true;
      }
      index = end + 1;
    } else {
      value += template[index];
      index += 1;
    }
  }
  return { value, substituted, missing, malformed };
}
