import type { ConfigIssue, ConfigIssueKind, ConfigWarning, SourcePosition } from './issues.ts';

export interface IssueDetail {
  readonly kind: ConfigIssueKind;
  readonly expected: string;
  readonly found: string;
  readonly hint?: string;
  /** Replaces the default `expected …, found …` sentence. */
  readonly message?: string;
}

/** Collects every issue and warning of one load, so all of them are reported together. */
export class Diagnostics {
  readonly file: string;
  readonly #issues: ConfigIssue[] = [];
  readonly #warnings: ConfigWarning[] = [];

  constructor(file: string) {
    this.file = file;
  }

  issue(position: SourcePosition, path: string, detail: IssueDetail): void {
    const message = detail.message ?? `expected ${detail.expected}, found ${detail.found}${detail.hint === undefined ? '' : `; ${detail.hint}`}`;
    this.#issues.push({
      kind: detail.kind,
      file: this.file,
      line: position.line,
      column: position.column,
      path,
      expected: detail.expected,
      found: detail.found,
      ...(detail.hint === undefined ? {} : { hint: detail.hint }),
      message,
    });
  }

  warn(position: SourcePosition, path: string, message: string): void {
    this.#warnings.push({ file: this.file, line: position.line, column: position.column, path, message });
  }

  get hasIssues(): boolean {
    return this.#issues.length > 0;
  }

  /** In document order; issues at one place keep the order they were found in. */
  issues(): ConfigIssue[] {
    return inDocumentOrder(this.#issues);
  }

  warnings(): ConfigWarning[] {
    return inDocumentOrder(this.#warnings);
  }
}

function inDocumentOrder<T extends SourcePosition>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.line - b.line || a.column - b.column);
}
