import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { ServerError } from '../errors.ts';

export interface ConnectionFailures {
  /** Whether a driver error means the database could not be reached or went away, as opposed to refusing a statement. */
  isConnectionFailure(error: unknown): boolean;
  /** What the store is, for messages: "PostgreSQL at postgres://gatehouse@db:5432/gatehouse". Never a password. */
  readonly description: string;
}

/**
 * Wraps a dialect so that a connection failure, wherever it surfaces (taking a connection from the
 * pool, any statement, BEGIN, COMMIT, ROLLBACK), is thrown as ServerError store_unavailable, the
 * driver's error as its cause. The one place this is decided: every repository, the migrator and
 * raw `sql` go through the driver. Any other error (a unique violation, a bad statement) passes
 * through unchanged.
 */
export function withConnectionFailuresAsUnavailable(dialect: Dialect, failures: ConnectionFailures): Dialect {
  return new UnavailableAwareDialect(dialect, failures);
}

/** Whether this error, or one it was caused by, is store_unavailable: the answer is "try again later", not "this is a bug". */
export function isStoreUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 8; depth += 1) {
    if (current instanceof ServerError && current.code === 'store_unavailable') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Driver errors are terse, and Node's ones for several addresses are an AggregateError with no message. */
export function describeDriverError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return [...new Set(error.errors.map(describeDriverError))].join('; ');
  if (error instanceof Error) return error.message || String((error as NodeJS.ErrnoException).code ?? error.name);
  return String(error);
}

type Guard = <T>(work: () => Promise<T>) => Promise<T>;

class UnavailableAwareDialect implements Dialect {
  readonly #inner: Dialect;
  readonly #guard: Guard;

  constructor(inner: Dialect, failures: ConnectionFailures) {
    this.#inner = inner;
    this.#guard = async (work) => {
      try {
        return await work();
      } catch (error) {
        if (!failures.isConnectionFailure(error)) throw error;
        throw new ServerError('store_unavailable', `The store is unavailable (${failures.description}): ${describeDriverError(error)}.`, { cause: error });
      }
    };
  }

  createAdapter(): DialectAdapter {
    return this.#inner.createAdapter();
  }

  createDriver(): Driver {
    return new UnavailableAwareDriver(this.#inner.createDriver(), this.#guard);
  }

  createQueryCompiler(): QueryCompiler {
    return this.#inner.createQueryCompiler();
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return this.#inner.createIntrospector(db);
  }
}

/**
 * Hands out guarded connections and gives the driver its own back: drivers keep private state on
 * their connections (the pg client to release, SQLite's mutex).
 */
class UnavailableAwareDriver implements Driver {
  readonly #inner: Driver;
  readonly #guard: Guard;
  readonly #unwrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(inner: Driver, guard: Guard) {
    this.#inner = inner;
    this.#guard = guard;
  }

  init(): Promise<void> {
    return this.#guard(() => this.#inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.#guard(() => this.#inner.acquireConnection());
    const guarded = new UnavailableAwareConnection(connection, this.#guard);
    this.#unwrapped.set(guarded, connection);
    return guarded;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#guard(() => this.#inner.beginTransaction(this.#unwrap(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#guard(() => this.#inner.commitTransaction(this.#unwrap(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#guard(() => this.#inner.rollbackTransaction(this.#unwrap(connection)));
  }

  savepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    const savepoint = this.#inner.savepoint?.bind(this.#inner);
    if (savepoint === undefined) return Promise.reject(new Error('savepoints are not supported by this driver'));
    return this.#guard(() => savepoint(this.#unwrap(connection), name, compile));
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2]): Promise<void> {
    const rollback = this.#inner.rollbackToSavepoint?.bind(this.#inner);
    if (rollback === undefined) return Promise.reject(new Error('savepoints are not supported by this driver'));
    return this.#guard(() => rollback(this.#unwrap(connection), name, compile));
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['releaseSavepoint']>>[2]): Promise<void> {
    const release = this.#inner.releaseSavepoint?.bind(this.#inner);
    if (release === undefined) return Promise.reject(new Error('savepoints are not supported by this driver'));
    return this.#guard(() => release(this.#unwrap(connection), name, compile));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(this.#unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }

  #unwrap(connection: DatabaseConnection): DatabaseConnection {
    return this.#unwrapped.get(connection) ?? connection;
  }
}

class UnavailableAwareConnection implements DatabaseConnection {
  readonly #inner: DatabaseConnection;
  readonly #guard: Guard;

  constructor(inner: DatabaseConnection, guard: Guard) {
    this.#inner = inner;
    this.#guard = guard;
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.#guard(() => this.#inner.executeQuery<R>(query));
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    const rows = this.#inner.streamQuery<R>(query, chunkSize);
    try {
      while (true) {
        const next = await this.#guard(() => rows.next());
        if (next.done === true) return;
        yield next.value;
      }
    } finally {
      // A consumer that stops early: the driver closes its cursor.
      await this.#guard(async () => {
        await rows.return?.(undefined);
      });
    }
  }
}
