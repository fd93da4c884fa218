/**
 * The exit codes of `gatehouse`, stable for scripts (documented in docs/reference/cli.md):
 * a check that said no is not a usage error, and neither is a store that is down.
 */
export const EXIT = Object.freeze({
  /** Done; for a check (token verify, policy test), the answer was yes. */
  ok: 0,
  /** The command ran and the answer is no: a refused token, a denied request, a failed check. */
  refused: 1,
  /** Bad command line: unknown command or flag, missing or malformed argument. */
  usage: 2,
  /** The configuration (or the master key) is missing, unreadable or invalid. */
  config: 3,
  /** The store or a server could not be reached, or a record the command needs does not exist. */
  unavailable: 4,
  /** A conflict with existing state: a file `init` would overwrite, a user or client that already exists. */
  conflict: 5,
  /** A bug: an unexpected error (the message says so and includes the stack with --log-level debug). */
  internal: 70,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
