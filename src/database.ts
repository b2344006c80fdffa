import type { Config, DatabaseConfig } from './config/load.js';
import { loadConfig } from './config/load.js';
import type { Dialect } from './dialect/dialect.js';
import { createDialect } from './dialect/create.js';
import type { Executor, QueryOptions, QueryResult } from './executor.js';
import type { PoolStatus } from './errors.js';
import { checkHealth, type HealthReport } from './health.js';
import { instrumentedQuery, logQuery, type QueryLogSettings } from './instrument.js';
import { createJsonLogger, redactingLogger, type Logger } from './log.js';
import { redactUrl } from './redact.js';
import { ReplicaRouter, type ReplicaState } from './replicas.js';
import { Scope, activeTransaction, runTransaction, type TransactionOptions } from './transaction.js';

export type RepositoriesFactory<R> = (executor: Executor) => R;

export interface OpenDatabaseOptions<R> {
  /** Builds the repositories bound to one executor, e.g. `createRepositories` from `sqlwright/generated`. */
  repositories?: RepositoriesFactory<R>;
  logger?: Logger;
  /** Use this dialect instead of creating one from the URL (tests, custom drivers). */
  dialect?: Dialect;
}

export interface HealthCheckOptions {
  timeoutMs?: number;
}

/** Runs each statement on a connection of its own: checked out, run, returned. */
class AutocommitExecutor implements Executor {
  readonly dialect: Executor['dialect'];
  readonly codec: Executor['codec'];
  readonly #target: Dialect;
  readonly #log: QueryLogSettings;

  constructor(target: Dialect, log: QueryLogSettings) {
    this.#target = target;
    this.dialect = target.name;
    this.codec = target.codec;
    this.#log = log;
  }

  // Not `async`: on a dialect that runs statements synchronously (SQLite) a statement outside a transaction, with
  // the connection free, runs right here (`queryNow`) and comes back as one settled promise, with no microtask
  // hop per step (acquire, run, release). Errors are still rejections, never synchronous throws.
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    // A statement issued from inside db.transaction() joins that transaction instead of taking a new connection.
    const scope = activeTransaction.getStore()?.get(this.#target);
    if (scope) return scope.query<R>(text, params, options);
    if (this.#target.queryNow !== undefined) {
      let result: QueryResult<R> | undefined;
      try {
        result = this.#now<R>(text, params, options);
      } catch (error) {
        return Promise.reject(error);
      }
      if (result !== undefined) return Promise.resolve(result);
    }
    return this.#acquireAndQuery<R>(text, params, options);
  }

  /** See Executor.queryNow: inside db.transaction() it runs in that transaction, as `query` does. */
  queryNow<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): QueryResult<R> | undefined {
    const scope = activeTransaction.getStore()?.get(this.#target);
    if (scope) return scope.queryNow<R>(text, params, options);
    return this.#target.queryNow === undefined ? undefined : this.#now<R>(text, params, options);
  }

  #now<R>(text: string, params: readonly unknown[] | undefined, options: QueryOptions | undefined): QueryResult<R> | undefined {
    const started = performance.now();
    const result = this.#target.queryNow!(text, params, options);
    if (result !== undefined) logQuery(this.#log, text, params, performance.now() - started, result.rowCount);
    return result;
  }

  async #acquireAndQuery<R>(text: string, params: readonly unknown[] | undefined, options: QueryOptions | undefined): Promise<QueryResult<R>> {
    const connection = await this.#target.acquire();
    try {
      return await instrumentedQuery<R>(connection, this.#log, text, params, options);
    } finally {
      connection.release();
    }
  }
}

/**
 * One database: its pool (or SQLite connection), its repositories, transactions, health and status.
 * Create it once per process with {@link openDatabase}.
 */
export class Database<R = Executor> {
  readonly name: string;
  readonly config: DatabaseConfig;
  readonly #dialect: Dialect;
  readonly #readOnlyDialect?: Dialect;
  readonly #replicas?: ReplicaRouter;
  readonly #repositories: RepositoriesFactory<R>;
  readonly #log: QueryLogSettings;
  readonly #autocommit: Executor;
  #repos?: R;

  constructor(config: DatabaseConfig, options: OpenDatabaseOptions<R> = {}) {
    const logger = redactingLogger(options.logger ?? createJsonLogger());
    this.name = config.name;
    this.config = config;
    this.#dialect = options.dialect ?? createDialect(config, { logger });
    this.#readOnlyDialect = config.readOnlyUrl ? createDialect(config, { logger, readOnly: true }) : undefined;
    if (config.replicas.length > 0) {
      this.#replicas = new ReplicaRouter(
        config.replicas.map((url, i) => {
          const name = `${config.name}-replica-${i + 1}`;
          return { name, dialect: createDialect(config, { logger, url, name }) };
        }),
        {
          maxLagMs: config.replicaMaxLagMs,
          retryMs: config.replicaRetryMs,
          fallback: config.replicaFallback === 'primary' ? (this.#readOnlyDialect ?? this.#dialect) : undefined,
          logger,
          database: config.name,
        },
      );
    }
    this.#repositories = options.repositories ?? ((executor) => executor as R);
    // Echo lines are written at debug (info for loggers without debug): skip building them when that level is off.
    const echoLevel = logger.debug ? 'debug' : 'info';
    const echo = config.echo && (logger.isLevelEnabled?.(echoLevel) ?? true);
    this.#log = { logger, echo, slowQueryMs: config.slowQueryMs, database: config.name };
    this.#autocommit = new AutocommitExecutor(this.#dialect, this.#log);
    logger.info(
      {
        database: config.name,
        dialect: this.#dialect.name,
        url: redactUrl(config.url),
        pool_size: config.poolSize,
        max_overflow: config.maxOverflow,
        pool_timeout: config.poolTimeoutMs / 1000,
        pool_recycle: config.recycleMs / 1000,
        pre_ping: config.prePing,
        statement_timeout: config.statementTimeoutMs / 1000,
        ssl_mode: config.ssl.mode,
        read_only_url: config.readOnlyUrl ? redactUrl(config.readOnlyUrl) : undefined,
      },
      'Database engine initialized',
    );
  }

  get dialect(): Dialect['name'] {
    return this.#dialect.name;
  }

  /** Repositories for single statements outside a transaction (each statement checks out and returns a connection). */
  get repositories(): R {
    this.#repos ??= this.#repositories(this.#autocommit);
    return this.#repos;
  }

  /** An executor for hand-written statements outside a transaction. */
  get executor(): Executor {
    return this.#autocommit;
  }

  /**
   * Runs `work` in a transaction: commit on success, rollback and rethrow on any error, the connection
   * always released. Called inside another transaction of this database it uses a savepoint (its `retry` is
   * ignored; an `isolation` other than the outer one's throws: see TransactionOptions).
   * @throws TransactionAbortedError when `work` caught a statement error and returned: the server rolled back.
   * @throws NestedTransactionError before any SQL when nested options conflict with the open transaction.
   */
  transaction<T>(work: (repos: R, tx: Scope) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return runTransaction(this.#dialect, this.#log, options, (scope) => work(this.#repositories(scope), scope));
  }

  /**
   * Reads in a READ ONLY transaction: on a replica (round robin) when replicas are configured, else on the
   * read-only URL when one is, else on the primary. A write inside fails with ReadOnlyError.
   * @throws NestedTransactionError when called inside a read-write `db.transaction()` on the primary (no replicas
   * and no read-only URL): it would join that transaction and could write.
   */
  readOnly<T>(work: (repos: R, tx: Scope) => Promise<T>, options: Omit<TransactionOptions, 'readOnly'> = {}): Promise<T> {
    const source = this.#replicas ?? this.#readOnlyDialect ?? this.#dialect;
    return runTransaction(source, this.#log, { ...options, readOnly: true }, (scope) => work(this.#repositories(scope), scope));
  }

  /** Every pool of this database, by name: the primary, then the read-only and replica pools. */
  pools(): { name: string; role: 'primary' | 'read-only' | 'replica'; dialect: Dialect }[] {
    return [
      { name: this.name, role: 'primary' as const, dialect: this.#dialect },
      ...(this.#readOnlyDialect ? [{ name: `${this.name}-read-only`, role: 'read-only' as const, dialect: this.#readOnlyDialect }] : []),
      ...(this.#replicas?.dialects.map((r) => ({ ...r, role: 'replica' as const })) ?? []),
    ];
  }

  /** Which replicas are in rotation, and why the others are not. */
  replicaState(): ReplicaState[] {
    return this.#replicas?.state() ?? [];
  }

  /** Runs a script of several statements (DDL) outside any transaction. */
  exec(script: string): Promise<void> {
    return this.#dialect.exec(script);
  }

  /** One connection for a sequence of autocommit statements (session settings, temp tables), then released. */
  async session<T>(work: (repos: R, session: Scope) => Promise<T>): Promise<T> {
    const connection = await this.#dialect.acquire();
    const scope = new Scope(connection, this.#log);
    try {
      return await work(this.#repositories(scope), scope);
    } finally {
      connection.release();
    }
  }

  /** SELECT 1 through the pool, bounded by `timeoutMs` (default 2 s); never throws, never hangs. */
  healthCheck(options: HealthCheckOptions = {}): Promise<HealthReport> {
    return checkHealth(this.#dialect, options.timeoutMs ?? 2000);
  }

  poolStatus(): PoolStatus {
    return this.#dialect.status();
  }

  async close(timeoutMs?: number): Promise<void> {
    await Promise.all(this.pools().map((p) => p.dialect.close(timeoutMs)));
  }
}

/** Several databases from one config (app, temporal, ...): each its own pool; health and status across all. */
export class Databases<R = Executor> {
  readonly #all: Map<string, Database<R>>;

  constructor(databases: Database<R>[]) {
    this.#all = new Map(databases.map((d) => [d.name, d]));
  }

  /** The main database (`database:` in config.yaml). */
  get app(): Database<R> {
    return this.get('app');
  }

  get(name: string): Database<R> {
    const db = this.#all.get(name);
    if (!db) throw new Error(`no database named ${name}; configured: ${[...this.#all.keys()].join(', ')}`);
    return db;
  }

  get names(): string[] {
    return [...this.#all.keys()];
  }

  /** Every pool of every database (primaries, read-only and replica pools), by pool name. */
  pools(): { name: string; database: string; role: 'primary' | 'read-only' | 'replica'; dialect: Dialect }[] {
    return [...this.#all.values()].flatMap((db) => db.pools().map((p) => ({ ...p, database: db.name })));
  }

  /** A bounded health check of every pool, by pool name (`app`, `app-replica-1`, `temporal`, ...). */
  async healthCheck(options?: HealthCheckOptions): Promise<Record<string, HealthReport & { role: string }>> {
    const timeoutMs = options?.timeoutMs ?? 2000;
    const entries = await Promise.all(
      this.pools().map(async (p) => [p.name, { role: p.role, ...(await checkHealth(p.dialect, timeoutMs)) }] as const),
    );
    return Object.fromEntries(entries);
  }

  /** Pool status of every pool, by pool name. */
  poolStatus(): Record<string, PoolStatus> {
    return Object.fromEntries(this.pools().map((p) => [p.name, p.dialect.status()]));
  }

  async close(timeoutMs?: number): Promise<void> {
    await Promise.all([...this.#all.values()].map((db) => db.close(timeoutMs)));
  }
}

/** Opens the main database of a config (or of config.yaml + environment when none is given). */
export function openDatabase<R = Executor>(config?: Config | DatabaseConfig, options: OpenDatabaseOptions<R> = {}): Database<R> {
  const resolved = config ?? loadConfig();
  const main = 'databases' in resolved ? resolved.databases[0] : resolved;
  const logger = options.logger ?? ('databases' in resolved ? createJsonLogger({ level: resolved.logLevel }) : undefined);
  return new Database(main, { ...options, logger });
}

/** Opens every database of a config. */
export function openDatabases<R = Executor>(config: Config = loadConfig(), options: Omit<OpenDatabaseOptions<R>, 'dialect'> = {}): Databases<R> {
  const logger = options.logger ?? createJsonLogger({ level: config.logLevel });
  return new Databases(config.databases.map((c) => new Database(c, { ...options, logger })));
}

let processDatabase: Database<unknown> | undefined;

/**
 * A lazy process-wide database from config.yaml and the environment, for those who want a singleton.
 * The first call's options win.
 */
export function getDefaultDatabase<R = Executor>(options?: OpenDatabaseOptions<R>): Database<R> {
  processDatabase ??= openDatabase(undefined, options) as Database<unknown>;
  return processDatabase as Database<R>;
}

export async function closeDefaultDatabase(): Promise<void> {
  const db = processDatabase;
  processDatabase = undefined;
  await db?.close();
}
