import { Alias, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { Diagnostics } from './diagnostics.ts';
import { indexPath, keyPath } from './document-path.ts';
import { interpolate, type Environment } from './interpolate.ts';
import type { SourcePosition } from './issues.ts';

/**
 * The YAML document as plain, positioned values: what the schema reads. Aliases are expanded,
 * `${VAR}` is interpolated, and every node knows its line and column.
 */
export type ConfigNode = ScalarNode | MappingNode | ListNode;

export interface ScalarNode {
  readonly kind: 'scalar';
  readonly position: SourcePosition;
  readonly value: string | number | boolean | null;
  /** The scalar as written (before interpolation), for messages. */
  readonly source: string;
  /** Whether `${VAR}` was substituted: the value is then never echoed in messages. */
  readonly substituted: boolean;
  /** A reference was missing or malformed; that issue is reported already, readers stay silent. */
  readonly unresolved: boolean;
}

export interface MappingEntry {
  readonly keyPosition: SourcePosition;
  readonly value: ConfigNode;
}

export interface MappingNode {
  readonly kind: 'mapping';
  readonly position: SourcePosition;
  readonly entries: ReadonlyMap<string, MappingEntry>;
}

export interface ListNode {
  readonly kind: 'list';
  readonly position: SourcePosition;
  readonly items: readonly ConfigNode[];
}

/** Bounds that keep a hostile file (alias bombs, deep nesting) from exhausting memory or stack. */
const MAX_NODES = 200_000;
const MAX_DEPTH = 64;

/**
 * Parses YAML 1.2 (core schema) into a ConfigNode tree. Returns undefined when the text is not
 * well-formed: syntax issues are then the only ones reported, since schema issues on a broken tree
 * would mostly be noise.
 */
export function buildConfigTree(text: string, env: Environment, diagnostics: Diagnostics): ConfigNode | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, strict: true, uniqueKeys: true, version: '1.2' });
  const positionOf = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  // YAML warnings (an unresolved tag, for one) would silently change a value's meaning: refuse them too.
  for (const problem of [...document.errors, ...document.warnings]) {
    diagnostics.issue(positionOf(problem.pos[0]), '', {
      kind: 'syntax',
      expected: 'well-formed YAML',
      found: problem.message,
      message: `invalid YAML: ${problem.message}`,
    });
  }
  if (diagnostics.hasIssues) return undefined;
  if (document.contents === null) {
    diagnostics.issue(positionOf(0), '', { kind: 'invalid_value', expected: 'a mapping with at least "issuer"', found: 'an empty document' });
    return undefined;
  }
  return new TreeBuilder(document, env, diagnostics, positionOf).build(document.contents);
}

class TreeBuilder {
  #nodeCount = 0;
  #budgetReported = false;
  readonly #expanding = new Set<YamlNode>();

  readonly document: Document;
  readonly env: Environment;
  readonly diagnostics: Diagnostics;
  readonly positionOf: (offset: number) => SourcePosition;

  constructor(document: Document, env: Environment, diagnostics: Diagnostics, positionOf: (offset: number) => SourcePosition) {
    this.document = document;
    this.env = env;
    this.diagnostics = diagnostics;
    this.positionOf = positionOf;
  }

  build(root: YamlNode): ConfigNode | undefined {
    return this.#convert(root, '', 0);
  }

  #convert(node: YamlNode, path: string, depth: number): ConfigNode | undefined {
    const position = this.positionOf(node.range?.[0] ?? 0);
    if (++this.#nodeCount > MAX_NODES || depth > MAX_DEPTH) {
      if (!this.#budgetReported) {
        this.#budgetReported = true;
        const limit = depth > MAX_DEPTH ? `nesting at most ${MAX_DEPTH} levels deep` : `at most ${MAX_NODES} values once aliases are expanded`;
        this.diagnostics.issue(position, path, { kind: 'invalid_value', expected: `a document ${limit}`, found: 'more' });
      }
      return undefined;
    }
    if (isAlias(node)) return this.#convertAlias(node, path, depth);
    if (isScalar(node)) return this.#convertScalar(node.value, node.source, position, path);
    if (isSeq(node)) {
      const items: ConfigNode[] = [];
      node.items.forEach((item, index) => {
        const converted = item === null ? this.#nullAt(position) : this.#convert(item as YamlNode, indexPath(path, index), depth + 1);
        items.push(converted ?? this.#placeholderAt(position));
      });
      return { kind: 'list', position, items };
    }
    if (isMap(node)) {
      const entries = new Map<string, MappingEntry>();
      for (const pair of node.items) {
        const keyNode = isAlias(pair.key) ? pair.key.resolve(this.document) : pair.key;
        const keyPosition = this.positionOf((pair.key as YamlNode | null)?.range?.[0] ?? node.range?.[0] ?? 0);
        if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
          const found = isScalar(keyNode) ? String(keyNode.value) : keyNode === null || keyNode === undefined ? 'no key' : 'a collection';
          this.diagnostics.issue(keyPosition, path, { kind: 'invalid_value', expected: 'a plain string key', found });
          continue;
        }
        const key = keyNode.value;
        const childPath = keyPath(path, key);
        const value = pair.value === null ? this.#nullAt(keyPosition) : this.#convert(pair.value as YamlNode, childPath, depth + 1);
        entries.set(key, { keyPosition, value: value ?? this.#placeholderAt(keyPosition) });
      }
      return { kind: 'mapping', position, entries };
    }
    this.diagnostics.issue(position, path, { kind: 'invalid_value', expected: 'a scalar, a list or a mapping', found: 'an unsupported YAML node' });
    return undefined;
  }

  /**
   * An alias is expanded in place. Its nodes keep the anchor's positions, so line:column always
   * points at the text to edit, while the path says which use of it is wrong.
   */
  #convertAlias(alias: Alias, path: string, depth: number): ConfigNode | undefined {
    const target = alias.resolve(this.document);
    if (target === undefined || this.#expanding.has(target)) {
      const found = target === undefined ? `*${alias.source} with no anchor before it` : `*${alias.source} inside its own anchor`;
      this.diagnostics.issue(this.positionOf(alias.range?.[0] ?? 0), path, { kind: 'syntax', expected: 'an alias to an earlier anchor', found });
      return undefined;
    }
    this.#expanding.add(target);
    try {
      return this.#convert(target, path, depth);
    } finally {
      this.#expanding.delete(target);
    }
  }

  #convertScalar(value: unknown, source: string | undefined, position: SourcePosition, path: string): ScalarNode | undefined {
    const written = source ?? (value === null ? '' : String(value));
    if (typeof value === 'string') {
      const result = interpolate(value, this.env);
      for (const name of result.missing) {
        this.diagnostics.issue(position, path, {
          kind: 'missing_variable',
          expected: `environment variable ${name}`,
          found: 'it is not set',
          message: `environment variable ${name} is not set (referenced as \${${name}})`,
        });
      }
      if (result.malformed !== null) {
        this.diagnostics.issue(position, path, {
          kind: 'invalid_value',
          expected: '${NAME} with NAME made of letters, digits and _ (write $${ for a literal ${)',
          found: JSON.stringify(result.malformed),
        });
      }
      const unresolved = result.missing.length > 0 || result.malformed !== null;
      return { kind: 'scalar', position, value: result.value, source: value, substituted: result.substituted, unresolved };
    }
    if (value === null || typeof value === 'number' || typeof value === 'boolean') {
      return { kind: 'scalar', position, value, source: written, substituted: false, unresolved: false };
    }
    this.diagnostics.issue(position, path, { kind: 'invalid_value', expected: 'a string, number, boolean or null', found: 'an unsupported scalar type' });
    return undefined;
  }

  #nullAt(position: SourcePosition): ScalarNode {
    return { kind: 'scalar', position, value: null, source: '', substituted: false, unresolved: false };
  }

  /** Stands in for a value already reported, so list indexes and required keys stay right. */
  #placeholderAt(position: SourcePosition): ScalarNode {
    return { kind: 'scalar', position, value: null, source: '', substituted: false, unresolved: true };
  }
}
