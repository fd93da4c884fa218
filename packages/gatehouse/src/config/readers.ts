/**
 * The small typed validator the schema is written in. A Reader turns one document value into a
 * typed value or INVALID, reporting every problem it sees to Diagnostics rather than stopping at
 * the first, so one load reports all issues together.
 */
import type { ConfigNode, MappingNode } from './config-tree.ts';
import { describeFound } from './describe-found.ts';
import type { Diagnostics, IssueDetail } from './diagnostics.ts';
import { indexPath, keyPath } from './document-path.ts';
import type { ConfigIssueKind, SourcePosition } from './issues.ts';
import { closestMatch } from './suggest.ts';

export const INVALID: unique symbol = Symbol('invalid');
export type Checked<T> = T | typeof INVALID;

export interface ReadContext {
  readonly diagnostics: Diagnostics;
  /** Relative paths in the file (sqlite store, key file, JWKS file) resolve against this directory. */
  readonly baseDir: string;
}

/** A value at a path in the document. */
export interface ValueAt {
  readonly node: ConfigNode;
  readonly path: string;
  readonly context: ReadContext;
}

export interface Reader<T> {
  (value: ValueAt): Checked<T>;
  /** What the reader accepts, as the end of "expected …". */
  readonly expected: string;
}

/** Wraps a read function; a value whose `${VAR}` failed is already reported and is skipped. */
export function reader<T>(expected: string, read: (value: ValueAt) => Checked<T>): Reader<T> {
  return Object.assign((value: ValueAt) => (isUnresolved(value.node) ? INVALID : read(value)), { expected });
}

export interface RejectOptions {
  readonly found?: string;
  readonly hint?: string;
  readonly kind?: ConfigIssueKind;
  readonly message?: string;
  readonly position?: SourcePosition;
}

/** Reports `expected …, found …` at the value and returns INVALID. */
export function reject(value: ValueAt, expected: string, options: RejectOptions = {}): typeof INVALID {
  const detail: IssueDetail = {
    kind: options.kind ?? 'invalid_value',
    expected,
    found: options.found ?? describeFound(value.node),
    ...(options.hint === undefined ? {} : { hint: options.hint }),
    ...(options.message === undefined ? {} : { message: options.message }),
  };
  value.context.diagnostics.issue(options.position ?? value.node.position, value.path, detail);
  return INVALID;
}

export function warn(value: ValueAt, message: string): void {
  value.context.diagnostics.warn(value.node.position, value.path, message);
}

export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const match = closestMatch(input, candidates);
  return match === undefined ? undefined : `did you mean ${JSON.stringify(match)}?`;
}

function isUnresolved(node: ConfigNode): boolean {
  return node.kind === 'scalar' && node.unresolved;
}

// Scalars

export function stringValue(value: ValueAt): string | undefined {
  return value.node.kind === 'scalar' && typeof value.node.value === 'string' ? value.node.value : undefined;
}

export const nonEmptyString: Reader<string> = reader('a non-empty string', (value) => {
  const text = stringValue(value);
  return text === undefined || text.length === 0 ? reject(value, nonEmptyString.expected) : text;
});

export const booleanValue: Reader<boolean> = reader('true or false', (value) =>
  value.node.kind === 'scalar' && typeof value.node.value === 'boolean' ? value.node.value : reject(value, booleanValue.expected),
);

/** A string that passes `check`, which returns the normalized value or undefined. */
export function textReader<T>(expected: string, check: (text: string) => T | undefined): Reader<T> {
  return reader(expected, (value) => {
    const text = stringValue(value);
    const checked = text === undefined ? undefined : check(text);
    return checked === undefined ? reject(value, expected) : checked;
  });
}

export function patternString(pattern: RegExp, expected: string): Reader<string> {
  return textReader(expected, (text) => (pattern.test(text) ? text : undefined));
}

/** One of a fixed set of strings, with a suggestion for a near miss. */
export function oneOf<const T extends string>(values: readonly T[], expected = `one of ${values.join(', ')}`): Reader<T> {
  return reader(expected, (value) => {
    const text = stringValue(value);
    if (text !== undefined && (values as readonly string[]).includes(text)) return text as T;
    const hint = text === undefined ? undefined : didYouMean(text, values);
    return reject(value, expected, hint === undefined ? {} : { hint });
  });
}

// Collections

export interface ListOptions<T> {
  /** Minimum number of items. */
  readonly min?: number;
  /** Items must be distinct by this key; a repeat is a `duplicate` issue. */
  readonly uniqueBy?: (item: T) => string;
}

export function listOf<T>(item: Reader<T>, options: ListOptions<T> = {}): Reader<readonly T[]> {
  const min = options.min ?? 0;
  const expected = min > 0 ? `a list of at least ${min} ${min === 1 ? 'item' : 'items'}, each ${item.expected}` : `a list, each item ${item.expected}`;
  return reader(expected, (value) => (value.node.kind === 'list' ? readItems(value, value.node.items, item, options) : reject(value, expected)));
}

/** A single item or a list of them; the result is always a list. */
export function oneOrMany<T>(item: Reader<T>, options: ListOptions<T> = {}): Reader<readonly T[]> {
  const min = Math.max(options.min ?? 1, 1);
  const expected = `${item.expected}, or a list of them`;
  return reader(expected, (value) => {
    if (value.node.kind === 'list') return readItems(value, value.node.items, item, { ...options, min });
    const single = item(value);
    return single === INVALID ? INVALID : [single];
  });
}

function readItems<T>(value: ValueAt, nodes: readonly ConfigNode[], item: Reader<T>, options: ListOptions<T>): Checked<readonly T[]> {
  const min = options.min ?? 0;
  if (nodes.length < min) return reject(value, `a list of at least ${min} ${min === 1 ? 'item' : 'items'}`, { found: nodes.length === 0 ? 'an empty list' : `${nodes.length}` });
  const items: T[] = [];
  const seen = new Map<string, number>();
  let valid = true;
  nodes.forEach((node, index) => {
    const at: ValueAt = { node, path: indexPath(value.path, index), context: value.context };
    const read = item(at);
    if (read === INVALID) {
      valid = false;
      return;
    }
    const key = options.uniqueBy?.(read);
    if (key !== undefined) {
      const first = seen.get(key);
      if (first !== undefined) {
        valid = false;
        reject(at, 'each item once', { kind: 'duplicate', found: `${describeFound(node)} again (first at ${indexPath(value.path, first)})` });
        return;
      }
      seen.set(key, index);
    }
    items.push(read);
  });
  return valid ? items : INVALID;
}

/** The item at `step` (a list index or a mapping key) of a value, for reporting on raw nodes. */
export function childAt(value: ValueAt, step: number | string): ValueAt | undefined {
  const { node } = value;
  const child =
    typeof step === 'number' ? (node.kind === 'list' ? node.items[step] : undefined)
    : node.kind === 'mapping' ? node.entries.get(step)?.value
    : undefined;
  if (child === undefined) return undefined;
  return { node: child, path: typeof step === 'number' ? indexPath(value.path, step) : keyPath(value.path, step), context: value.context };
}

/** A mapping whose keys have been checked against the allowed ones. */
export class MappingValue {
  readonly value: ValueAt;
  readonly node: MappingNode;
  /** Unknown keys were reported; the known ones can still be read, so their issues join the report. */
  readonly hasUnknownKeys: boolean;

  constructor(value: ValueAt, node: MappingNode, hasUnknownKeys: boolean) {
    this.value = value;
    this.node = node;
    this.hasUnknownKeys = hasUnknownKeys;
  }

  has(key: string): boolean {
    return this.node.entries.has(key);
  }

  /** The value at `key`, or undefined when the key is absent. */
  at(key: string): ValueAt | undefined {
    return childAt(this.value, key);
  }

  /** Where to report a missing key: the mapping itself, with the key's path. */
  missing(key: string, expected: string): typeof INVALID {
    const at: ValueAt = { node: this.node, path: keyPath(this.value.path, key), context: this.value.context };
    return reject(at, expected, { kind: 'missing_key', found: 'nothing', message: `missing required key ${JSON.stringify(key)}, expected ${expected}` });
  }
}

/** Reads a mapping and reports each key that is not in `allowed`, with a suggestion when one is close. */
export function readMapping(value: ValueAt, allowed: readonly string[], expected: string): Checked<MappingValue> {
  if (isUnresolved(value.node)) return INVALID;
  if (value.node.kind !== 'mapping') return reject(value, expected);
  let hasUnknownKeys = false;
  for (const [key, entry] of value.node.entries) {
    if (allowed.includes(key)) continue;
    hasUnknownKeys = true;
    const hint = didYouMean(key, allowed);
    const expectedKeys = `one of ${allowed.join(', ')}`;
    reject({ ...value, path: keyPath(value.path, key) }, expectedKeys, {
      kind: 'unknown_key',
      found: `unknown key ${JSON.stringify(key)}`,
      position: entry.keyPosition,
      ...(hint === undefined ? {} : { hint }),
      message: `unknown key ${JSON.stringify(key)}; ${hint ?? `expected ${expectedKeys}`}`,
    });
  }
  return new MappingValue(value, value.node, hasUnknownKeys);
}

export interface FieldSpec<T> {
  read(mapping: MappingValue, key: string): Checked<T>;
}

export function required<T>(read: Reader<T>): FieldSpec<T> {
  return {
    read(mapping, key) {
      const at = mapping.at(key);
      return at === undefined ? mapping.missing(key, read.expected) : read(at);
    },
  };
}

export function optional<T, F>(read: Reader<T>, fallback: F): FieldSpec<T | F>;
export function optional<T>(read: Reader<T>): FieldSpec<T | undefined>;
export function optional<T, F>(read: Reader<T>, fallback?: F): FieldSpec<T | F | undefined> {
  return {
    read(mapping, key) {
      const at = mapping.at(key);
      return at === undefined ? fallback : read(at);
    },
  };
}

export type FieldShape = Record<string, FieldSpec<unknown>>;
type FieldType<F> = F extends FieldSpec<infer T> ? T : never;
export type CheckedFields<S extends FieldShape> = { readonly [K in keyof S]: Checked<FieldType<S[K]>> };
export type ValidFields<S extends FieldShape> = { readonly [K in keyof S]: FieldType<S[K]> };

export interface ReadFields<S extends FieldShape> {
  readonly mapping: MappingValue;
  /** Each field as read; INVALID where it was reported. For cross-field checks on partial input. */
  readonly fields: CheckedFields<S>;
  /** All fields, when every one is valid and the mapping has no unknown keys. */
  complete(): ValidFields<S> | undefined;
}

/**
 * Reads a mapping with exactly the keys of `shape`. Every field is read even when another fails,
 * so callers can run their cross-field checks on what is valid and report everything at once.
 */
export function readFields<S extends FieldShape>(value: ValueAt, shape: S, expected: string): Checked<ReadFields<S>> {
  const mapping = readMapping(value, Object.keys(shape), expected);
  if (mapping === INVALID) return INVALID;
  const fields: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(shape)) fields[key] = spec.read(mapping, key);
  const valid = !mapping.hasUnknownKeys && Object.values(fields).every((field) => field !== INVALID);
  return {
    mapping,
    fields: fields as CheckedFields<S>,
    complete: () => (valid ? (fields as ValidFields<S>) : undefined),
  };
}
