/**
 * The issuer's registries against docs/reference/errors.md (STYLE.md "One error registry"): every
 * OAuth protocol error code with its HTTP status, every sign-in page error code, and every
 * security event type with its severity is listed in its own section, and nothing else is. The
 * source is scanned too, for codes and event types written as literals where the type system does
 * not reach them. (Token reasons, SDK and server errors: packages/verify/test/reason-registry.test.ts.)
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { CONSOLE_API_ERRORS, CONSOLE_SERVER_ERROR_STATUS } from '../src/console/console-errors.ts';
import { SERVER_ERROR_CODES } from '../src/errors.ts';
import { OAUTH_ERROR_STATUS } from '../src/issuer/oauth-error.ts';
import { SECURITY_EVENTS } from '../src/issuer/security-events.ts';
import { PAGE_ERRORS } from '../src/issuer/sign-in/page-errors.ts';
import { FORWARD_FAILURES } from '../src/gateway/forward/forward-failures.ts';
import { GATEWAY_REASONS } from '../src/gateway/pipeline/gateway-audit.ts';
import { CONDITION_REASONS } from '../src/policy/compiled-condition.ts';
import { DECISION_REASONS } from '../src/policy/index.ts';

const doc = readFileSync(new URL('../../../docs/reference/errors.md', import.meta.url), 'utf8');
const sourceRoot = fileURLToPath(new URL('../src/', import.meta.url));

/** Every section of the page that has code rows, and the test that checks it. */
const CHECKED_SECTIONS = [
  'Token refusal reasons', // packages/verify/test/reason-registry.test.ts
  'Verify SDK errors', // idem
  'Server errors', // idem
  'OAuth protocol errors',
  'Sign-in page errors',
  'Security events',
  'Gateway decision reasons',
  'Gateway forwarding failures',
  'Policy condition reasons',
  'Console API errors',
];

/** The rows of the section `title`: first column (the code, in backticks) → the other cells. */
function sectionRows(title: string): Map<string, string[]> {
  const section = doc.split(/^## /m).find((candidate) => candidate.startsWith(`${title}\n`));
  assert.ok(section !== undefined, `no section "## ${title}"`);
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const match = /^\| `([^`]+)` \|(.*)\|\s*$/.exec(line);
    if (match === null) continue;
    assert.ok(!rows.has(match[1]!), `${title}: ${match[1]} is listed twice`);
    rows.set(match[1]!, match[2]!.split('|').map((cell) => cell.trim()));
  }
  return rows;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Every capture of `pattern` in the server's source, with where it was found. */
function literalsInSource(pattern: RegExp): { value: string; file: string }[] {
  return sourceFiles(sourceRoot).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(pattern)].map((match) => ({ value: match[1]!, file: file.slice(sourceRoot.length) })));
}

function assertSameCodes(title: string, listed: Iterable<string>, registered: readonly string[]): void {
  const inDoc = [...listed];
  assert.deepEqual(
    { missingFromDoc: registered.filter((code) => !inDoc.includes(code)), notInSource: inDoc.filter((code) => !registered.includes(code)) },
    { missingFromDoc: [], notInSource: [] },
    title,
  );
}

describe('docs/reference/errors.md: the issuer sections', () => {
  it('"OAuth protocol errors" lists every OAUTH_ERROR_STATUS code with its status, and no other', () => {
    const rows = sectionRows('OAuth protocol errors');
    assertSameCodes('OAuth protocol errors', rows.keys(), Object.keys(OAUTH_ERROR_STATUS));
    for (const [code, [status, when]] of rows) {
      assert.equal(status, String(OAUTH_ERROR_STATUS[code as keyof typeof OAUTH_ERROR_STATUS]), `status of ${code}`);
      assert.ok((when ?? '').length > 0, `no explanation for ${code}`);
    }
  });

  it('"Sign-in page errors" lists every PAGE_ERRORS code, and no other', () => {
    const rows = sectionRows('Sign-in page errors');
    assertSameCodes('Sign-in page errors', rows.keys(), Object.keys(PAGE_ERRORS));
    for (const [code, [status, when]] of rows) {
      assert.match(status ?? '', /^[45]\d\d$/, `status of ${code}`);
      assert.ok((when ?? '').length > 0, `no explanation for ${code}`);
    }
  });

  it('"Security events" lists every SECURITY_EVENTS type with its severity, and no other', () => {
    const rows = sectionRows('Security events');
    assertSameCodes('Security events', rows.keys(), Object.keys(SECURITY_EVENTS));
    for (const [type, [severity, fields, when]] of rows) {
      assert.equal(severity, SECURITY_EVENTS[type as keyof typeof SECURITY_EVENTS], `severity of ${type}`);
      assert.ok((fields ?? '').length > 0 && (when ?? '').length > 0, `fields and explanation for ${type}`);
    }
  });

  it('has no section with code rows that no registry test checks', () => {
    const withRows = doc
      .split(/^## /m)
      .slice(1)
      .filter((section) => /^\| `[^`]+` \|/m.test(section))
      .map((section) => section.slice(0, section.indexOf('\n')));
    assert.deepEqual(withRows, CHECKED_SECTIONS);
  });
});

describe('the source uses only registered codes and event types', () => {
  it('every security event type written in the source is registered (and so documented)', () => {
    // `type: 'noun.verb'` at recordSecurityEvent calls; the key lifecycle names its events bare.
    const found = [...literalsInSource(/\btype: '([a-z_]+\.[a-z_]+)'/g), ...literalsInSource(/'(key\.[a-z_]+)'/g)];
    assert.ok(found.some((literal) => literal.value === 'refresh.reused') && found.some((literal) => literal.value === 'key.retired'), 'the scan found the known events');
    assert.deepEqual(found.filter((literal) => !Object.hasOwn(SECURITY_EVENTS, literal.value)), []);
  });

  it('every OAuth error body written by hand names a registered code (or the documented not_found)', () => {
    // OAuthError, the authorization errors and the page errors are typed; these bodies are sent as literals.
    const found = literalsInSource(/\.send\(\{ error: '([a-z_]+)'/g);
    assert.ok(found.some((literal) => literal.value === 'server_error'), 'the scan found the error handler');
    assert.deepEqual(found.filter((literal) => literal.value !== 'not_found' && !Object.hasOwn(OAUTH_ERROR_STATUS, literal.value)), []);
    assert.ok(doc.includes('`{"error":"not_found"}`'));
  });
});

describe('docs/reference/errors.md: the gateway sections', () => {
  it('"Gateway decision reasons" lists every gateway and policy decision reason, and no other', () => {
    const rows = sectionRows('Gateway decision reasons');
    assertSameCodes('Gateway decision reasons', rows.keys(), [...Object.keys(GATEWAY_REASONS), ...Object.keys(DECISION_REASONS)]);
    for (const [code, [status, meaning]] of rows) assert.ok((status ?? '').length > 0 && (meaning ?? '').length > 0, `incomplete row for ${code}`);
  });

  it('"Gateway forwarding failures" lists every FORWARD_FAILURES code with its status, and no other', () => {
    const rows = sectionRows('Gateway forwarding failures');
    assertSameCodes('Gateway forwarding failures', rows.keys(), Object.keys(FORWARD_FAILURES));
    for (const [code, [status]] of rows) {
      const registered = FORWARD_FAILURES[code as keyof typeof FORWARD_FAILURES] as number | null;
      assert.equal(status, registered === null ? '—' : String(registered), `status of ${code}`);
    }
  });

  it('"Policy condition reasons" lists every CONDITION_REASONS code with its verdict, and no other', () => {
    const rows = sectionRows('Policy condition reasons');
    assertSameCodes('Policy condition reasons', rows.keys(), Object.keys(CONDITION_REASONS));
    for (const [code, [verdict]] of rows) assert.equal(verdict, CONDITION_REASONS[code as keyof typeof CONDITION_REASONS].verdict, `verdict of ${code}`);
  });
});

describe('docs/reference/errors.md: the console section', () => {
  it('"Console API errors" lists every code the admin API answers with, each with its status, and no other', () => {
    const rows = sectionRows('Console API errors');
    const statuses: Record<string, number> = { ...Object.fromEntries(Object.entries(CONSOLE_API_ERRORS).map(([code, { status }]) => [code, status])), ...CONSOLE_SERVER_ERROR_STATUS };
    assertSameCodes('Console API errors', rows.keys(), Object.keys(statuses));
    for (const [code, [status, meaning]] of rows) {
      assert.equal(status, String(statuses[code]), `status of ${code}`);
      assert.ok((meaning ?? '').length > 0, `no explanation for ${code}`);
    }
  });

  it('the server errors it passes on are registered server errors, and its own codes are not', () => {
    for (const code of Object.keys(CONSOLE_SERVER_ERROR_STATUS)) assert.ok(Object.hasOwn(SERVER_ERROR_CODES, code), code);
    for (const code of Object.keys(CONSOLE_API_ERRORS)) assert.ok(!Object.hasOwn(SERVER_ERROR_CODES, code), code);
  });
});
