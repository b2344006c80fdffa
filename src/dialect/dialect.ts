import type { Executor, QueryOptions, QueryResult } from '../executor.js';
import type { PoolStatus } from '../errors.js';

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface BeginOptions {
  isolation?: IsolationLevel;
  readOnly?: boolean;
  /** Per-transaction statement timeout (`SET LOCAL`), used where session-level settings are off. */
  statementTimeoutMs?: number;
}

/**
 * One connection lent by a dialect: an Executor plus transaction control. The runtime's sessions and
 * transactions are built on it; it is returned with `release()` exactly once.
 */
export interface DialectConnection extends Executor {
  begin(options?: BeginOptions): Promise<void>;
  /** @throws TransactionAbortedError when an earlier error aborted the transaction; it has been rolled back. */
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Returns the connection; an open transaction is rolled back first. */
  release(): void;
  /** Closes the connection instead of returning it (it is broken or in an unknown state). */
  invalidate(reason?: string): void;
}

/**
 * A database reached through one dialect (PostgreSQL through our pool, SQLite through better-sqlite3).
 * All errors it throws are sqlwright's typed errors.
 */
export interface Dialect {
  readonly name: Executor['dialect'];
  /** How values are stored on this dialect; every connection it lends uses the same. */
  readonly codec: Executor['codec'];
  /** Waits for a connection; @throws PoolTimeoutError, DatabaseUnavailableError. */
  acquire(): Promise<DialectConnection>;
  /**
   * Optional fast path for one autocommit statement, for drivers that run statements synchronously (SQLite):
   * when a connection is free right now, runs the statement exactly as `acquire()`, `query()`, `release()` would,
   * and returns its result; returns `undefined` without doing anything when none is free (lent out, closed), and
   * the caller then takes the `acquire()` path.
   * @throws the same typed errors as `query()` (the connection has been released by then).
   */
  queryNow?(text: string, params: readonly unknown[] | undefined, options: QueryOptions | undefined): QueryResult<any> | undefined;
  status(): PoolStatus;
  /** Runs a script of several statements (DDL), outside any transaction, on a connection of its own. */
  exec(script: string): Promise<void>;
  close(timeoutMs?: number): Promise<void>;
}
