import { ServerError } from '../errors.ts';

/**
 * Runs an insert or update and turns a unique or primary-key violation into store_conflict with
 * the caller's message; anything else passes through. The codes are the drivers' own: SQLite's
 * extended result codes (better-sqlite3) and PostgreSQL's SQLSTATE 23505 (pg).
 */
export async function conflictAs<T>(message: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ServerError('store_conflict', message, { cause: error });
    throw error;
  }
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
