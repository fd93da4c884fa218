import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { issuesOf, onlyIssue, parse, where, yaml } from './config-test-helpers.ts';

describe('the YAML document', () => {
  it('a syntax error is config_invalid with its position', () => {
    const issue = onlyIssue(yaml(
      'issuer: https://auth.example.com',
      'routes:',
      '  - id: orders',
      '    match: { path: /orders/**',
      '    upstream: http://127.0.0.1:9001',
    ));
    assert.equal(issue.kind, 'syntax');
    assert.equal(issue.file, 'gatehouse.yaml');
    assert.deepEqual([issue.line, issue.column], [5, 5]);
    assert.match(issue.message, /^invalid YAML: /);
  });

  it('a bad indent is reported where it is', () => {
    const issue = onlyIssue(yaml('issuer: https://auth.example.com', 'tokens:', '  accessTtl: 5m', ' refreshIdle: 12h'));
    assert.equal(issue.kind, 'syntax');
    assert.equal(issue.line, 4);
  });

  it('a repeated key is refused at the repeat, not silently overwritten', () => {
    const issue = onlyIssue(yaml('issuer: https://auth.example.com', 'tokens: { accessTtl: 5m }', 'issuer: https://evil.example.com'));
    assert.deepEqual(where(issue), { kind: 'syntax', line: 3, column: 1, path: '' });
    assert.match(issue.message, /Map keys must be unique/);
  });

  it('several syntax errors are reported together', () => {
    const issues = issuesOf(yaml('issuer: https://auth.example.com', 'issuer: again', 'tokens: !secret { accessTtl: 5m }'));
    assert.deepEqual(issues.map((issue) => [issue.kind, issue.line]), [['syntax', 2], ['syntax', 3]]);
  });

  it('unknown tags are refused rather than read as strings', () => {
    const issue = onlyIssue(yaml('issuer: !vault https://auth.example.com'));
    assert.deepEqual([issue.kind, issue.line, issue.column], ['syntax', 1, 9]);
    assert.match(issue.message, /Unresolved tag: !vault/);
  });

  it('a second document in the file is refused', () => {
    assert.equal(onlyIssue(yaml('issuer: https://auth.example.com', '---', 'issuer: https://b.example.com')).kind, 'syntax');
  });

  it('anchors and aliases work; an issue in an alias is reported where the text is, with the path of each use', () => {
    const text = yaml(
      'issuer: https://auth.example.com',
      'routes:',
      '  - id: a',
      '    match: {}',
      '    upstream: http://127.0.0.1:1',
      '    audience: a',
      '    allow: &staff [ { role: admin }, { role: ops } ]',
      '  - id: b',
      '    match: {}',
      '    upstream: http://127.0.0.1:2',
      '    audience: b',
      '    allow: *staff',
    );
    const { config } = parse(text);
    assert.deepEqual(config.routes[1]!.allow, config.routes[0]!.allow);

    const broken = text.replace('{ role: ops }', '{ role: [] }');
    assert.deepEqual(issuesOf(broken).map(where), [
      { kind: 'invalid_value', line: 7, column: 46, path: 'routes[0].allow[1].role' },
      { kind: 'invalid_value', line: 7, column: 46, path: 'routes[1].allow[1].role' },
    ]);
  });

  it('an alias bomb is refused instead of expanded', () => {
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 8; level++) levels.push(`a${level}: &a${level} [${Array(10).fill(`*a${level - 1}`).join(', ')}]`);
    const issues = issuesOf(yaml(...levels, 'issuer: https://auth.example.com'));
    assert.ok(issues.some((issue) => issue.expected.includes('at most 200000 values once aliases are expanded')), issues.map((issue) => issue.message).join('\n'));
  });

  it('very deep nesting is refused', () => {
    const issues = issuesOf(yaml(`issuer: ${'['.repeat(80)}${']'.repeat(80)}`));
    assert.ok(issues.some((issue) => /nesting at most 64 levels deep/.test(issue.expected)));
  });

  it('non-string keys are refused', () => {
    const issue = onlyIssue(yaml('issuer: https://auth.example.com', '8080: gateway'));
    assert.deepEqual(where(issue), { kind: 'invalid_value', line: 2, column: 1, path: '' });
    assert.equal(issue.found, '8080');
  });

  it('an empty value is described as such', () => {
    const issue = onlyIssue(yaml('issuer:'));
    assert.equal(issue.found, 'an empty value');
  });

  it('YAML 1.2: yes/no/on/off are strings, not booleans', () => {
    const issue = onlyIssue(yaml('issuer: https://auth.example.com', 'routes: [ { id: r, match: {}, upstream: http://127.0.0.1:1, audience: r, allow: [ { authenticated: yes } ] } ]'));
    assert.equal(issue.found, '"yes"');
  });
});
