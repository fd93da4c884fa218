import type { ExitCode } from './exit-codes.ts';

/**
 * An error a command reports to its user: what went wrong, then what to do next. Printed on
 * stderr as `gatehouse: <message>` and `  → <hint>`; the process exits with `exit`.
 */
export class CliError extends Error {
  readonly exit: ExitCode;
  readonly hint: string | undefined;
  constructor(exit: ExitCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exit = exit;
    this.hint = hint;
  }
}
