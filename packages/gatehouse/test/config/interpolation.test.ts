import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpolate } from '../../src/config/interpolate.ts';
import { issuesOf, onlyIssue, parse, SECRET, where, withRoute, yaml } from './config-test-helpers.ts';

describe('${VAR} interpolation', () => {
  it('replaces references in string scalars, several per string', () => {
    const { config } = parse(withRoute('    match: { host: "${SUB}.${DOMAIN}" }').replace('    match: { path: /orders/** }\n', ''), { SUB: 'api', DOMAIN: 'example.com' });
    assert.equal(config.routes[0]!.match.host, 'api.example.com');
  });

  it('$${ is a literal ${', () => {
    assert.deepEqual(interpolate('a $${HOME} b', {}), { value: 'a ${HOME} b', substituted: false, missing: [], malformed: null });
    const { config } = parse(withRoute('    allow: [ { header: { name: x-template, equals: "$${NOT_A_VAR}" } } ]'));
    assert.deepEqual(config.routes[0]!.allow[0], { id: 'allow[0]', kind: 'header', name: 'x-template', test: { op: 'equals', value: '${NOT_A_VAR}' } });
  });

  it('a lone $ and text that only looks close are kept as they are', () => {
    assert.equal(interpolate('cost: $5, $HOME, $$', {}).value, 'cost: $5, $HOME, $$');
  });

  it('a missing variable is an issue at the path where it is used, naming it', () => {
    const issues = issuesOf(yaml(
      'issuer: https://auth.example.com',
      'clients:',
      '  - id: svc',
      '    secret: ${SVC_SECRET}',
      '    grants: [client_credentials]',
      'routes:',
      '  - id: orders',
      '    match: {}',
      '    upstream: "http://${UPSTREAM_HOST}:${UPSTREAM_PORT}"',
      '    audience: orders',
    ), { UPSTREAM_HOST: '127.0.0.1' });
    assert.deepEqual(issues.map(where), [
      { kind: 'missing_variable', line: 4, column: 13, path: 'clients[0].secret' },
      { kind: 'missing_variable', line: 9, column: 15, path: 'routes[0].upstream' },
    ]);
    assert.equal(issues[0]!.message, 'environment variable SVC_SECRET is not set (referenced as ${SVC_SECRET})');
    assert.equal(issues[1]!.message, 'environment variable UPSTREAM_PORT is not set (referenced as ${UPSTREAM_PORT})');
  });

  it('a value with a missing variable is not validated further (no second issue about it)', () => {
    const issue = onlyIssue(yaml('issuer: ${ISSUER}'));
    assert.equal(issue.kind, 'missing_variable');
  });

  it('an empty variable is set: the value is then checked as usual', () => {
    const issue = onlyIssue(yaml('issuer: https://auth.example.com', 'clients: [ { id: svc, secret: "${S}", grants: [client_credentials] } ]'), { S: '' });
    assert.equal(issue.found, 'a string of 0 characters');
  });

  it('a malformed reference is an issue', () => {
    for (const value of ['${lower-case}', '${UNCLOSED', '${}', '${1ST}']) {
      const issue = onlyIssue(yaml(`issuer: "https://auth.example.com/${value}"`));
      assert.deepEqual(where(issue), { kind: 'invalid_value', line: 1, column: 9, path: 'issuer' }, value);
      assert.match(issue.expected, /\$\{NAME\}/);
    }
  });

  it('applies to strings only: keys, numbers and booleans are never interpolated', () => {
    // A `${X}` key is just an unknown key; a plain 42 stays a number.
    const issue = onlyIssue(yaml('issuer: https://auth.example.com', '${KEY}: 1'), { KEY: 'store' });
    assert.equal(issue.kind, 'unknown_key');
    assert.equal(issue.path, '["${KEY}"]');
  });

  it('the result is a string: ${VAR} cannot produce a boolean', () => {
    const issue = onlyIssue(withRoute('    allow: [ { authenticated: "${AUTH}" } ]'), { AUTH: 'true' });
    assert.equal(issue.expected, 'true or false');
    assert.equal(issue.found, '"${AUTH}" (4 characters after interpolation; value not shown)');
  });

  it('secrets read from the environment work and are not warned about', () => {
    const { config, warnings } = parse(yaml('issuer: https://auth.example.com', 'clients: [ { id: svc, secret: "${S}", grants: [client_credentials], audiences: [orders] } ]'), { S: SECRET });
    assert.equal(config.clients[0]!.public, false);
    assert.deepEqual(warnings, []);
  });
});
