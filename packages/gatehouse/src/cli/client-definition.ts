import type { ConfigNode, ListNode, MappingEntry, ScalarNode } from '../config/config-tree.ts';
import { Diagnostics } from '../config/diagnostics.ts';
import type { ConfigIssue } from '../config/issues.ts';
import { INVALID } from '../config/readers.ts';
import { client as clientReader } from '../config/sections/clients.ts';
import type { ClientConfig } from '../config/types.ts';
import { CliError } from './cli-error.ts';
import { EXIT } from './exit-codes.ts';

/** A client as `gatehouse clients add` gives it on the command line. */
export interface ClientFlags {
  readonly id: string;
  /** Undefined when --grants was not given at all. */
  readonly grants: readonly string[] | undefined;
  readonly scopes: readonly string[] | undefined;
  readonly audiences: readonly string[] | undefined;
  readonly roles: readonly string[] | undefined;
  readonly redirectUris: readonly string[];
  readonly public: boolean;
  /** The generated secret of a confidential client. */
  readonly secret: string | undefined;
}

/** The flag each key of a configured client comes from, for messages in the command line's terms. */
const FLAG_OF_KEY: Readonly<Record<string, string>> = {
  id: 'ID',
  grants: '--grants',
  scopes: '--scopes',
  audiences: '--audiences',
  roles: '--roles',
  redirectUris: '--redirect-uri',
  public: '--public',
  secret: 'the generated secret',
};

/**
 * Checks a client given on the command line by exactly the rules a client in gatehouse.yaml
 * obeys — it is the configuration's own reader on a document built from the flags — so a client
 * the CLI stores is one the configuration would have accepted. Throws a usage error (exit 2)
 * naming the flag and saying what was expected.
 */
export function clientFromFlags(flags: ClientFlags): ClientConfig {
  const read = readClientDefinition(flags);
  if (!Array.isArray(read)) return read as ClientConfig;
  const problems = (read as readonly ConfigIssue[]).map(describeIssue);
  const message = problems.length === 1 ? `invalid client: ${problems[0]}` : `invalid client, ${problems.length} problems:\n  ${problems.join('\n  ')}`;
  throw new CliError(EXIT.usage, message, 'see `gatehouse clients add --help`');
}

/**
 * A client definition (the CLI's flags, the console's form) read by the configuration's client
 * reader: the client, or what is wrong with it (issue paths name the keys of a configured client).
 */
export function readClientDefinition(flags: ClientFlags): ClientConfig | readonly ConfigIssue[] {
  const entries = new Map<string, MappingEntry>();
  const set = (key: string, value: ConfigNode): void => {
    entries.set(key, { keyPosition: AT, value });
  };
  set('id', scalar(flags.id));
  set('public', scalar(flags.public));
  if (flags.secret !== undefined) set('secret', scalar(flags.secret, { substituted: true }));
  if (flags.grants !== undefined) set('grants', list(flags.grants));
  if (flags.scopes !== undefined) set('scopes', list(flags.scopes));
  if (flags.audiences !== undefined) set('audiences', list(flags.audiences));
  if (flags.roles !== undefined) set('roles', list(flags.roles));
  if (flags.redirectUris.length > 0) set('redirectUris', list(flags.redirectUris));

  const diagnostics = new Diagnostics('command line');
  const read = clientReader({ node: { kind: 'mapping', position: AT, entries }, path: '', context: { diagnostics, baseDir: '.' } });
  if (read !== INVALID && !diagnostics.hasIssues) return read;
  return diagnostics.issues();
}

/** `--grants: expected …, found …`, or `missing --redirect-uri: expected …`. */
function describeIssue(issue: ConfigIssue): string {
  const key = /^[A-Za-z]+/.exec(issue.path)?.[0] ?? '';
  const flag = FLAG_OF_KEY[key] ?? (issue.path === '' ? 'the client' : issue.path);
  return issue.kind === 'missing_key' ? `missing ${flag}: expected ${issue.expected}` : `${flag}: ${issue.message}`;
}

/** Every node sits at one place: there is no file; messages name flags instead. */
const AT = { line: 1, column: 1 };

function scalar(value: string | boolean, { substituted = false } = {}): ScalarNode {
  // `substituted` keeps a value out of messages, as for ${VAR} in the file: the secret is never echoed.
  return { kind: 'scalar', position: AT, value, source: substituted ? 'the generated secret' : String(value), substituted, unresolved: false };
}

function list(items: readonly string[]): ListNode {
  return { kind: 'list', position: AT, items: items.map((item) => scalar(item)) };
}
