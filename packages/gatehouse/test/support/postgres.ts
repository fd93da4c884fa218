import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { redactStoreUrl } from '../../src/store/index.ts';

/**
 * Where the PostgreSQL tests run, and whether they must. Without a reachable server they are
 * skipped, with the reason shown, so `npm test` passes on a laptop; in CI (CI=true) or with
 * GATEHOUSE_REQUIRE_POSTGRES=1 an unreachable server fails the run instead of hiding the suite.
 */
export const POSTGRES_TEST_URL = process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function postgresRequired(): boolean {
  return process.env.CI === 'true' || process.env.GATEHOUSE_REQUIRE_POSTGRES === '1';
}

/** Connects once; returns why not when it cannot. */
export async function postgresUnavailableReason(url: string = POSTGRES_TEST_URL): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    const detail = error instanceof AggregateError ? error.errors.map(String).join('; ') : String(error);
    return `PostgreSQL is not reachable at ${redactStoreUrl(url)} (${detail}); set GATEHOUSE_TEST_POSTGRES_URL, or start it`;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Registers a PostgreSQL suite: `register` runs when the server answers; otherwise one test that
 * is skipped (with the reason) or, when PostgreSQL is required, fails (with the reason).
 */
export async function registerPostgresSuite(name: string, register: (url: string) => void): Promise<void> {
  const reason = await postgresUnavailableReason();
  if (reason === undefined) {
    register(POSTGRES_TEST_URL);
    return;
  }
  if (postgresRequired()) {
    test(name, () => assert.fail(`${reason}. PostgreSQL is required here (CI=true or GATEHOUSE_REQUIRE_POSTGRES=1).`));
    return;
  }
  test(name, { skip: reason }, () => {});
}

export interface TestSchema {
  readonly name: string;
  drop(): Promise<void>;
}

/**
 * A schema of its own for one test (random name), dropped with everything in it afterwards.
 * `create: false` only picks the name, for tests of a store that creates its schema itself.
 */
export async function createTestSchema({ url = POSTGRES_TEST_URL, create = true }: { url?: string; create?: boolean } = {}): Promise<TestSchema> {
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  if (create) await adminQuery(url, `create schema ${name}`);
  return { name, drop: () => adminQuery(url, `drop schema if exists ${name} cascade`) };
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
