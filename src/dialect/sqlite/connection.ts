import type BetterSqlite3 from 'better-sqlite3';
import type { DialectConnection, BeginOptions } from '../dialect.js';
import type { QueryOptions, QueryResult } from '../../executor.js';
import { DatabaseError, DatabaseUnavailableError, SqlwrightError, TransactionAbortedError } from '../../errors.js';
import { sqliteCodec } from './codec.js';
import { translateSqliteError } from './errors.js';
import type { Logger } from '../../log.js';
import type { TransactionClock } from './functions.js';
import type { CachedStatement, StatementCache } from './statement-cache.js';

// QueryOptions' two hints, rowMode and singleRow: better-sqlite3 builds an object row through V8's API key by key,
// so an array row costs about 0.4 µs less; a single-row read stops after its row (`get` instead of `all`).

const EMPTY: readonly unknown[] = [];
const ROLLBACK = /^\s*(ROLLBACK|ABORT)\b/i;
const COMMIT = /^\s*(COMMIT|END)\b/i;

/**
 * The one better-sqlite3 connection and its transaction state, shared by the leases the dialect hands out
 * (one at a time, under its mutex). Everything here is synchronous.
 *
 * It mirrors PostgreSQL where SQLite differs:
 * - After an error inside a transaction PostgreSQL refuses every statement but ROLLBACK (25P02); SQLite would
 *   carry on, so code that swallows a unique violation and continues would pass here and fail in production.
 *   `#aborted` reproduces the PostgreSQL rule, and COMMIT of an aborted transaction rolls back, as there
 *   (`commit()` then throws TransactionAbortedError, as PostgresConnection does on the ROLLBACK reply).
 * - `now()` is stable within a transaction (see TransactionClock).
 */
export class SqliteSession {
  readonly #db: BetterSqlite3.Database;
  readonly #cache: StatementCache;
  readonly #clock: TransactionClock;
  readonly #logger: Logger | undefined;
  #aborted = false;
  #readOnly = false;

  constructor(db: BetterSqlite3.Database, cache: StatementCache, clock: TransactionClock, logger?: Logger) {
    this.#db = db;
    this.#cache = cache;
    this.#clock = clock;
    this.#logger = logger;
  }

  get inTransaction(): boolean {
    return this.#db.open && this.#db.inTransaction;
  }

  /** @throws sqlwright's typed errors (never a raw driver error). */
  query(text: string, params: readonly unknown[] = EMPTY, options?: QueryOptions): QueryResult<any> {
    const db = this.#db;
    if (!db.open) throw new DatabaseUnavailableError('the SQLite database is closed', { sql: text });
    const inTransaction = db.inTransaction;
    let entry: CachedStatement | undefined;
    try {
      entry = this.#cache.get(text);
      if (this.#aborted && inTransaction) {
        if (COMMIT.test(text)) {
          const result = this.#abortedCommit(text);
          this.#endTransaction();
          return result;
        }
        if (!ROLLBACK.test(text)) {
          throw new DatabaseError('current transaction is aborted, commands ignored until end of transaction block', { sql: text, sqlState: '25P02' });
        }
      }
      if (params.length !== entry.paramCount) {
        throw new DatabaseError(
          `bind message supplies ${params.length} parameters, but the statement requires ${entry.paramCount}`,
          { sql: text, sqlState: '08P01' },
        );
      }
      if (!inTransaction) this.#clock.reset();
      const values = bindable(params, entry.order);
      // Spread for the usual few parameters (measurably faster to bind); an array for long lists (no huge call).
      const statement = entry.statement;
      const few = values.length <= 16;
      let result: QueryResult<any>;
      if (entry.reader) {
        const reader = options?.rowMode === 'array' ? this.#cache.arrays(entry) : statement;
        if (options?.singleRow === true && entry.readOnly) {
          const row = few ? reader.get(...values) : reader.get(values as unknown[]);
          result = row === undefined ? { rows: [], rowCount: 0 } : { rows: [row], rowCount: 1 };
        } else {
          // A statement that writes always runs to completion (`all`, never `get`): SQLite starts the WAL
          // auto-checkpoint only when a statement reaches SQLITE_DONE, so stopping an INSERT … RETURNING after its
          // first row lets the WAL grow unbounded.
          const rows = few ? reader.all(...values) : reader.all(values as unknown[]);
          result = { rows, rowCount: rows.length };
        }
      } else {
        result = { rows: [], rowCount: (few ? statement.run(...values) : statement.run(values as unknown[])).changes };
      }
      if (this.#aborted && (!db.inTransaction || ROLLBACK.test(text))) this.#aborted = false;
      if (this.#readOnly && !db.inTransaction) this.#endTransaction(); // ended by a raw COMMIT/ROLLBACK
      return result;
    } catch (error) {
      if (db.open && db.inTransaction) this.#aborted = true;
      throw describe(translateSqliteError(error, text), entry === undefined, options?.name);
    }
  }

  /** @throws DatabaseError 25001 when a transaction is already open (nest with savepoints instead). */
  begin(options: BeginOptions = {}): void {
    if (this.inTransaction) {
      throw new DatabaseError('a transaction is already in progress on this connection; use savepoints to nest', { sqlState: '25001' });
    }
    // SQLite transactions are always serializable, so `isolation` needs nothing. `statementTimeoutMs` cannot be
    // honoured: better-sqlite3 runs statements synchronously and offers no interrupt.
    if (options.readOnly) {
      this.query('BEGIN DEFERRED');
      this.query('PRAGMA query_only = ON');
      this.#readOnly = true;
    } else {
      // IMMEDIATE takes the write lock now, so a transaction never fails half-way upgrading a read lock (BUSY).
      this.query('BEGIN IMMEDIATE');
    }
  }

  /**
   * Commits; outside a transaction it does nothing (PostgreSQL only warns).
   * @throws TransactionAbortedError when an earlier error aborted the transaction: it is rolled back, as PostgreSQL does.
   * @throws typed errors; the transaction is then rolled back.
   */
  commit(): void {
    try {
      if (!this.inTransaction) return;
      if (this.#aborted) {
        this.#db.exec('ROLLBACK');
        throw new TransactionAbortedError();
      }
      try {
        this.query('COMMIT');
      } catch (error) {
        if (this.inTransaction) this.#db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.#endTransaction();
    }
  }

  rollback(): void {
    try {
      if (this.inTransaction) this.query('ROLLBACK');
    } finally {
      this.#endTransaction();
    }
  }

  /** Leaves the connection as a new one: no open transaction, writes allowed. Never throws. */
  reset(): void {
    if (!this.#db.open) return;
    try {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
    } catch (error) {
      this.#logger?.warn({ error }, 'sqlite: rollback on release failed');
    }
    this.#endTransaction();
  }

  clearStatementCache(): void {
    this.#cache.clear();
  }

  #abortedCommit(text: string): QueryResult<any> {
    this.#logger?.warn({ sql: text }, 'sqlite: COMMIT of an aborted transaction rolled it back (as PostgreSQL does)');
    this.#db.exec('ROLLBACK');
    this.#aborted = false;
    return { rows: [], rowCount: 0 };
  }

  #endTransaction(): void {
    this.#aborted = false;
    if (this.#readOnly && this.#db.open) {
      this.#readOnly = false;
      this.#db.pragma('query_only = OFF');
    }
  }
}

/** Reorders the caller's parameters for anonymous `?`, and turns the JS values better-sqlite3 cannot bind into storage. */
function bindable(params: readonly unknown[], order: number[] | null): readonly unknown[] {
  let out: unknown[] | undefined = order === null ? undefined : order.map((i) => params[i]);
  const source = out ?? params;
  for (let i = 0; i < source.length; i++) {
    const v = source[i];
    if (v === undefined || typeof v === 'boolean' || v instanceof Date) {
      out ??= params.slice();
      out[i] = v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : (v as Date).toISOString();
    }
  }
  return out ?? params;
}

/** A statement SQLite cannot even prepare is usually PostgreSQL-only SQL: name the query so the cause is clear. */
function describe(error: SqlwrightError, atPrepare: boolean, name: string | undefined): SqlwrightError {
  if (!atPrepare || !(error instanceof DatabaseError) || error.sqlState !== 'SQLITE_ERROR') return error;
  const which = name === undefined ? 'a statement' : `query "${name}"`;
  return new DatabaseError(
    `SQLite cannot prepare ${which}: ${error.message} (PostgreSQL-only SQL? see docs/sqlite.md)`,
    { cause: error.cause, sql: error.sql, sqlState: error.sqlState },
  );
}

/**
 * One lease of the SQLite connection, as {@link DialectConnection}: valid from `acquire()` until `release()` or
 * `invalidate()`; after that every call throws (and a second release does nothing).
 */
export class SqliteConnection implements DialectConnection {
  readonly dialect = 'sqlite' as const;
  readonly codec = sqliteCodec;
  #session: SqliteSession | undefined;
  readonly #onRelease: (invalidated: boolean, reason?: string) => void;

  constructor(session: SqliteSession, onRelease: (invalidated: boolean, reason?: string) => void) {
    this.#session = session;
    this.#onRelease = onRelease;
  }

  // Not `async`: a plain function returning a settled promise saves a microtask hop per statement.
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    try {
      return Promise.resolve(this.#live().query(text, params, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The statement, run now (SQLite always can): see Executor.queryNow. @throws typed errors. */
  queryNow<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): QueryResult<R> {
    return this.#live().query(text, params, options);
  }

  async begin(options?: BeginOptions): Promise<void> {
    this.#live().begin(options);
  }

  async commit(): Promise<void> {
    this.#live().commit();
  }

  async rollback(): Promise<void> {
    this.#live().rollback();
  }

  /** Returns the connection to the dialect; an open transaction is rolled back first. */
  release(): void {
    const session = this.#session;
    if (session === undefined) return;
    this.#session = undefined;
    session.reset();
    this.#onRelease(false);
  }

  /**
   * SQLite has a single in-process connection, and closing it would lose an in-memory database, so
   * invalidating resets it instead: the transaction is rolled back and the statement cache dropped.
   */
  invalidate(reason?: string): void {
    const session = this.#session;
    if (session === undefined) return;
    this.#session = undefined;
    session.reset();
    session.clearStatementCache();
    this.#onRelease(true, reason);
  }

  #live(): SqliteSession {
    if (this.#session === undefined) throw new SqlwrightError('connection_released', 'this SQLite connection was already released');
    return this.#session;
  }
}
