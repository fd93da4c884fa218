/**
 * The reason-code registry against its producers and its documentation. Every ReasonCode must be
 * produced by a case of the shared attack table (support/cases.ts); the codes the table actually
 * produces must be exactly REASON_CODES; and docs/reference/errors.md must list every token
 * reason, SDK error and server error code — and no code that does not exist. (The issuer's
 * sections of that page: packages/gatehouse/test/error-registry.test.ts.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERROR_CODES, REASON_CODES, TOKEN_REASONS, type ReasonCode } from '@gatehouse/verify';
import { SERVER_ERROR_CODES } from '../../gatehouse/src/errors.ts';
import { attackGroups, REASON_PRODUCERS, type TokenCase } from './support/cases.ts';
import { explain, outcome } from './support/tokens.ts';

const cases: TokenCase[] = attackGroups().flatMap((group) => [...group.cases]);
const byName = new Map<string, TokenCase>();
for (const testCase of cases) {
  assert.ok(!byName.has(testCase.name), `case name used twice: ${testCase.name}`);
  byName.set(testCase.name, testCase);
}

describe('every reason code has a producing case', () => {
  for (const code of REASON_CODES) {
    it(`${code} ← "${REASON_PRODUCERS[code]}"`, async () => {
      const testCase = byName.get(REASON_PRODUCERS[code]);
      assert.ok(testCase !== undefined, `no case named ${JSON.stringify(REASON_PRODUCERS[code])} in the table`);
      assert.equal(testCase.expect, code);
      const result = await testCase.run();
      assert.equal(outcome(result), code, explain(result));
    });
  }

  it('the producer table names exactly the registered codes', () => {
    assert.deepEqual(Object.keys(REASON_PRODUCERS).sort(), [...REASON_CODES].sort());
    assert.deepEqual([...REASON_CODES].sort(), Object.keys(TOKEN_REASONS).sort());
  });

  it('the codes the whole attack table produces are exactly REASON_CODES', async () => {
    const produced = new Set<string>();
    for (const testCase of cases) {
      const result = await testCase.run();
      assert.equal(outcome(result), testCase.expect, `${testCase.name}: ${explain(result)}`);
      if (!result.ok) produced.add(result.reason);
    }
    assert.deepEqual([...produced].sort(), [...REASON_CODES].sort());
  });
});

describe('docs/reference/errors.md', () => {
  const doc = readFileSync(new URL('../../../docs/reference/errors.md', import.meta.url), 'utf8');
  const ROW = /^\| `([^`]+)` \|/gm;

  /** The codes listed as table rows in the section whose heading is `title`. */
  function sectionCodes(title: string): string[] {
    const sections = doc.split(/^## /m);
    const section = sections.find((s) => s.startsWith(`${title}\n`));
    assert.ok(section !== undefined, `no section "## ${title}"`);
    return [...section.matchAll(ROW)].map((m) => m[1]!);
  }

  const registries: [string, string, readonly string[]][] = [
    ['token refusal reasons', 'Token refusal reasons', Object.keys(TOKEN_REASONS)],
    ['verify SDK errors', 'Verify SDK errors', Object.keys(ERROR_CODES)],
    ['server errors', 'Server errors', Object.keys(SERVER_ERROR_CODES)],
  ];

  for (const [label, title, codes] of registries) {
    it(`lists every ${label} code in its own section, and no other`, () => {
      const listed = sectionCodes(title);
      assert.equal(new Set(listed).size, listed.length, `a code is listed twice: ${listed.join(', ')}`);
      assert.deepEqual(
        { missingFromDoc: codes.filter((c) => !listed.includes(c)), notInSource: listed.filter((c) => !codes.includes(c)) },
        { missingFromDoc: [], notInSource: [] },
      );
    });
  }

  it('lists no code that does not exist anywhere in these three sections', () => {
    // The issuer's sections (OAuth protocol errors, sign-in page errors, security events) are
    // checked by packages/gatehouse/test/error-registry.test.ts, which also checks that the page
    // has no section no test covers.
    const known = new Set<string>([...Object.keys(TOKEN_REASONS), ...Object.keys(ERROR_CODES), ...Object.keys(SERVER_ERROR_CODES)]);
    const listed = registries.flatMap(([, title]) => sectionCodes(title));
    assert.ok(listed.length >= known.size, 'the table rows were not found');
    assert.deepEqual(listed.filter((c) => !known.has(c)), []);
  });

  it('has a non-empty meaning for every code row', () => {
    for (const line of doc.split('\n')) {
      const match = /^\| `([^`]+)` \|([^|]*)\|/.exec(line);
      if (match !== null) assert.ok(match[2]!.trim().length > 0, `empty meaning for ${match[1]}`);
    }
  });

  it('no code name is shared between the three registries', () => {
    const all = [...Object.keys(TOKEN_REASONS), ...Object.keys(ERROR_CODES), ...Object.keys(SERVER_ERROR_CODES)];
    assert.equal(new Set(all).size, all.length);
  });
});

// Reason codes are a closed, typed set: a ReasonCode must be a key of TOKEN_REASONS.
const _typed: readonly ReasonCode[] = REASON_CODES;
void _typed;
