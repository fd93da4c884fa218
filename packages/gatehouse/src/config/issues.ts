import { ServerError } from '../errors.ts';

/** A place in the configuration file: 1-based line and column. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

export type ConfigIssueKind =
  /** The text is not well-formed YAML (or uses YAML features we refuse, such as unknown tags). */
  | 'syntax'
  | 'unknown_key'
  | 'missing_key'
  /** Wrong type, format or range. */
  | 'invalid_value'
  | 'missing_variable'
  | 'duplicate'
  /** Two settings that cannot go together. */
  | 'conflict';

/** One reason the configuration is invalid. Tests assert `kind`, `path` and the position. */
export interface ConfigIssue extends SourcePosition {
  readonly kind: ConfigIssueKind;
  readonly file: string;
  /** Where in the document, e.g. `routes[1].allow[0].all[1].scope`; empty for the document itself. */
  readonly path: string;
  readonly expected: string;
  /** Never a secret's value: secrets and interpolated values are described, not shown. */
  readonly found: string;
  readonly hint?: string;
  /** `expected …, found …` plus the hint, or a sentence of its own for kinds that read better so. */
  readonly message: string;
}

/** Something that loads but is probably a mistake. */
export interface ConfigWarning extends SourcePosition {
  readonly file: string;
  readonly path: string;
  readonly message: string;
}

/** `gatehouse.yaml:14:9 routes[1].audience: expected a non-empty string, found 42` */
export function formatIssue(issue: ConfigIssue | ConfigWarning): string {
  const where = issue.path === '' ? '(document)' : issue.path;
  return `${issue.file}:${issue.line}:${issue.column} ${where}: ${issue.message}`;
}

/** config_invalid, carrying every issue found (not just the first) in document order. */
export class ConfigInvalidError extends ServerError {
  readonly file: string;
  readonly issues: readonly ConfigIssue[];

  constructor(file: string, issues: readonly ConfigIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super('config_invalid', `${file}: invalid configuration, ${count}:\n${issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`);
    this.name = 'ConfigInvalidError';
    this.file = file;
    this.issues = issues;
  }
}
