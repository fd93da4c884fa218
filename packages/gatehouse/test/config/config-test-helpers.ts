import assert from 'node:assert/strict';
import { ConfigInvalidError, parseConfig, type ConfigIssue, type LoadedConfig } from '../../src/config/index.ts';
import type { Environment } from '../../src/config/interpolate.ts';

export const FILE = 'gatehouse.yaml';
export const BASE_DIR = '/etc/gatehouse';
export const SECRET = 'S3cr3t-value-that-is-long-enough-0123456789';

/** Lines joined with \n, so a test reads its line numbers off the array index + 1. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

export function parse(text: string, env: Environment = {}): LoadedConfig {
  return parseConfig(text, { file: FILE, env, baseDir: BASE_DIR });
}

/** The issues of a configuration that must be refused. */
export function issuesOf(text: string, env: Environment = {}): readonly ConfigIssue[] {
  try {
    parse(text, env);
  } catch (error) {
    assert.ok(error instanceof ConfigInvalidError, `expected ConfigInvalidError, got ${String(error)}`);
    assert.equal(error.code, 'config_invalid');
    return error.issues;
  }
  assert.fail('the configuration was accepted');
}

export function errorOf(text: string, env: Environment = {}): ConfigInvalidError {
  try {
    parse(text, env);
  } catch (error) {
    assert.ok(error instanceof ConfigInvalidError);
    return error;
  }
  assert.fail('the configuration was accepted');
}

/** The fields tests compare: where and what kind. */
export function where(issue: ConfigIssue): { kind: string; line: number; column: number; path: string } {
  return { kind: issue.kind, line: issue.line, column: issue.column, path: issue.path };
}

/** The one issue of a refused configuration. */
export function onlyIssue(text: string, env: Environment = {}): ConfigIssue {
  const issues = issuesOf(text, env);
  assert.equal(issues.length, 1, `expected one issue, got:\n${issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n')}`);
  return issues[0]!;
}

/** A minimal valid configuration with one route, to which tests add or replace lines. */
export function withRoute(...routeLines: string[]): string {
  return yaml(
    'issuer: https://auth.example.com',
    'routes:',
    '  - id: orders',
    '    match: { path: /orders/** }',
    '    upstream: http://127.0.0.1:9001',
    '    audience: orders',
    ...routeLines,
  );
}
