import path from 'node:path';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import type { Dialect, DialectConnection } from '../dialect.js';
import type { QueryOptions, QueryResult } from '../../executor.js';
import { DatabaseError, DatabaseUnavailableError, PoolTimeoutError, type PoolStatus } from '../../errors.js';
import type { Logger } from '../../log.js';
import { sqliteCodec } from './codec.js';
import { SqliteConnection, SqliteSession } from './connection.js';
import { translateSqliteError } from './errors.js';
import { TransactionClock, registerFunctions } from './functions.js';
import { FifoMutex } from './mutex.js';
import { StatementCache, type StatementCacheStats } from './statement-cache.js';
import { parseSqliteUrl, type SqliteLocation } from './url.js';

export interface SqliteDialectOptions {
  /** `sqlite:///./database.db`, `sqlite:////abs/path.db` or `sqlite::memory:` (see parseSqliteUrl). */
  url?: string;
  /** A file path or `:memory:`; instead of `url`. */
  filename?: string;
  /**
   * The PostgreSQL schemas the SQL names (`app.users`); each becomes an attached SQLite database of that name.
   * The first lives in the file; each further one in a sibling file `<stem>.<schema><ext>` (SQLite cannot keep
   * two schemas in one file). Default `['app']`.
   */
  schemas?: string[];
  logger?: Logger;
  /** How long SQLite waits for another process's lock before SQLITE_BUSY (it blocks the thread meanwhile). Default 5000. */
  busyTimeoutMs?: number;
  /** How long `acquire()` waits for the connection before PoolTimeoutError. Default 30000. */
  acquireTimeoutMs?: number;
  /** Prepared statements kept (LRU). Default 200. */
  statementCacheSize?: number;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The SQLite dialect: one better-sqlite3 connection lent under a FIFO mutex. A transaction holds it from
 * `acquire()` to `release()`; a single statement outside a transaction should acquire, run and release.
 *
 * The main database is an empty `:memory:` one and every schema is ATTACHed under its PostgreSQL name, so the
 * schema-qualified names of generated and hand-written SQL (`app.users`) work unchanged.
 */
export class SqliteDialect implements Dialect {
  readonly name = 'sqlite' as const;
  readonly codec = sqliteCodec;
  readonly #db: BetterSqlite3.Database;
  readonly #session: SqliteSession;
  readonly #cache: StatementCache;
  readonly #mutex = new FifoMutex();
  readonly #logger: Logger | undefined;
  readonly #acquireTimeoutMs: number;
  #invalid = 0;
  #closed = false;
  #drained: (() => void) | undefined;

  constructor(db: BetterSqlite3.Database, options: { logger?: Logger; acquireTimeoutMs: number; statementCacheSize: number }) {
    this.#db = db;
    this.#logger = options.logger;
    this.#acquireTimeoutMs = options.acquireTimeoutMs;
    this.#cache = new StatementCache(db, options.statementCacheSize);
    const clock = new TransactionClock();
    registerFunctions(db, clock);
    this.#session = new SqliteSession(db, this.#cache, clock, options.logger);
  }

  /** Waits (FIFO) for the connection. @throws PoolTimeoutError after `acquireTimeoutMs`, DatabaseUnavailableError once closed. */
  acquire(): Promise<DialectConnection> {
    if (this.#closed) return Promise.reject(new DatabaseUnavailableError('the SQLite dialect is closed'));
    if (this.#mutex.tryLock()) return Promise.resolve(new SqliteConnection(this.#session, this.#onRelease)); // the usual, uncontended case
    return this.#mutex
      .lock(this.#acquireTimeoutMs, () => new PoolTimeoutError(this.status(), this.#acquireTimeoutMs))
      .then(() => new SqliteConnection(this.#session, this.#onRelease));
  }

  /**
   * One autocommit statement, synchronously, when the connection is free: lock, run, reset (as `release()` does),
   * unlock. `undefined` when it is lent out or the dialect is closed (the caller then waits in `acquire()`, which
   * queues FIFO or reports the close). No await anywhere, so nothing else can run in between.
   * @throws typed errors, as SqliteConnection.query.
   */
  queryNow(text: string, params: readonly unknown[] | undefined, options: QueryOptions | undefined): QueryResult<any> | undefined {
    if (this.#closed || !this.#mutex.tryLock()) return undefined;
    const session = this.#session;
    try {
      return session.query(text, params, options);
    } finally {
      session.reset();
      this.#onRelease(false);
    }
  }

  status(): PoolStatus {
    const open = this.#closed ? 0 : 1;
    const out = this.#mutex.locked ? 1 : 0;
    return { size: 1, checkedIn: open - out < 0 ? 0 : open - out, checkedOut: out, overflow: 0, invalid: this.#invalid, waiting: this.#mutex.waiting, total: open, max: 1 };
  }

  /** Statement cache counters: how often a statement was prepared versus reused. */
  statementCacheStats(): StatementCacheStats {
    return this.#cache.stats();
  }

  /**
   * Runs a multi-statement script (a schema, `init-db`) under the mutex, outside any transaction the caller
   * holds. @throws typed errors.
   */
  async exec(script: string): Promise<void> {
    const connection = await this.acquire();
    try {
      this.#db.exec(script);
    } catch (error) {
      throw translateSqliteError(error);
    } finally {
      connection.release();
    }
  }

  /**
   * Rejects waiters, waits up to `timeoutMs` (default 5000) for the lent connection to come back, then closes
   * the database (rolling back a transaction still open). Idempotent.
   */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#mutex.rejectWaiters(new DatabaseUnavailableError('the SQLite dialect was closed while waiting for the connection'));
    if (this.#mutex.locked) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#logger?.warn({ timeoutMs }, 'sqlite: closing with the connection still lent out');
          resolve();
        }, timeoutMs);
        this.#drained = () => { clearTimeout(timer); resolve(); };
      });
    }
    this.#cache.clear();
    if (this.#db.open) this.#db.close();
  }

  readonly #onRelease = (invalidated: boolean, reason?: string): void => {
    if (invalidated) {
      this.#invalid++;
      this.#logger?.warn({ reason }, 'sqlite: connection invalidated; transaction rolled back and statement cache dropped');
    }
    this.#mutex.unlock();
    if (this.#drained && !this.#mutex.locked) this.#drained();
  };
}

/** `./data/app.db` + `audit` → `./data/app.audit.db`. */
function siblingFile(filename: string, schema: string): string {
  const ext = path.extname(filename);
  return `${filename.slice(0, filename.length - ext.length)}.${schema}${ext}`;
}

/**
 * Opens a SQLite database for sqlwright: attaches each schema, turns on foreign keys, WAL + synchronous=NORMAL
 * for files, a busy timeout, PostgreSQL-like case-sensitive LIKE, and registers `gen_random_uuid()`/`now()`.
 * @throws DatabaseError for a bad URL or options, DatabaseUnavailableError when the file cannot be opened.
 */
export function createSqliteDialect(options: SqliteDialectOptions): SqliteDialect {
  if ((options.url === undefined) === (options.filename === undefined)) {
    throw new DatabaseError('createSqliteDialect needs exactly one of `url` or `filename`');
  }
  const location: SqliteLocation = options.url !== undefined
    ? parseSqliteUrl(options.url)
    : options.filename === ':memory:' ? { kind: 'memory' } : { kind: 'file', filename: options.filename! };
  const schemas = options.schemas ?? ['app'];
  if (schemas.length === 0 || new Set(schemas).size !== schemas.length || !schemas.every((s) => SCHEMA_NAME.test(s))) {
    throw new DatabaseError(`invalid schemas ${JSON.stringify(schemas)}: a non-empty list of distinct plain identifiers`);
  }
  if (schemas.some((s) => ['main', 'temp'].includes(s.toLowerCase()))) throw new DatabaseError('"main" and "temp" are reserved by SQLite');

  const db = new Database(':memory:');
  try {
    const attach = db.prepare('ATTACH DATABASE ? AS ?');
    const files: string[] = [];
    schemas.forEach((schema, i) => {
      const file = location.kind === 'memory' ? ':memory:' : path.resolve(i === 0 ? location.filename : siblingFile(location.filename, schema));
      attach.run(file, schema);
      files.push(file);
      if (location.kind === 'file') {
        db.pragma(`"${schema}".journal_mode = WAL`);
        db.pragma(`"${schema}".synchronous = NORMAL`);
      }
    });
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    // PostgreSQL's LIKE is case-sensitive; SQLite's is not unless told (ILIKE has no SQLite form at all).
    db.pragma('case_sensitive_like = ON');
    options.logger?.info({ files, schemas }, 'sqlite: database opened');
  } catch (error) {
    db.close();
    throw translateSqliteError(error);
  }
  return new SqliteDialect(db, {
    logger: options.logger,
    acquireTimeoutMs: options.acquireTimeoutMs ?? 30_000,
    statementCacheSize: options.statementCacheSize ?? 200,
  });
}
