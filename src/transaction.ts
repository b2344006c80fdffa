import { AsyncLocalStorage } from 'node:async_hooks';
import type { BeginOptions, DialectConnection } from './dialect/dialect.js';
import type { Executor, QueryOptions, QueryResult } from './executor.js';
import { NestedTransactionError, SerializationError } from './errors.js';
import { instrumentedQuery, logQuery, type QueryLogSettings } from './instrument.js';

export interface RetryOptions {
  /** Total attempts including the first. Default 3. */
  attempts?: number;
  /** First backoff; doubled each time, with full jitter. Default 20 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * How to open a transaction. A call nested in an open transaction on the same connection source joins it as a
 * savepoint: `readOnly: true` inside a read-write transaction, or an `isolation` other than the one the outer
 * transaction asked for, throws NestedTransactionError; a read-write call inside a read-only transaction joins
 * (its writes fail with ReadOnlyError); `retry` is ignored, since only the outermost transaction can run again.
 */
export interface TransactionOptions extends BeginOptions {
  /** Retry the whole callback on serialization failures and deadlocks (SerializationError). Outermost only. */
  retry?: boolean | RetryOptions;
}

/** An Executor bound to one connection, able to open nested scopes. */
export class Scope implements Executor {
  readonly dialect: Executor['dialect'];
  readonly codec: Executor['codec'];
  readonly connection: DialectConnection;
  /** How the transaction this scope runs was opened; undefined for a session (no transaction). */
  readonly transactionOptions?: Readonly<BeginOptions>;
  readonly #log: QueryLogSettings;
  #savepoints = 0;

  constructor(connection: DialectConnection, log: QueryLogSettings, transactionOptions?: BeginOptions) {
    this.connection = connection;
    this.dialect = connection.dialect;
    this.codec = connection.codec;
    this.#log = log;
    if (transactionOptions !== undefined) this.transactionOptions = transactionOptions;
  }

  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    return instrumentedQuery<R>(this.connection, this.#log, text, params, options);
  }

  /** See Executor.queryNow: runs now on connections that can (SQLite), with the same logging as `query`. */
  queryNow<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): QueryResult<R> | undefined {
    const connection = this.connection;
    if (connection.queryNow === undefined) return undefined;
    const started = performance.now();
    const result = connection.queryNow<R>(text, params, options);
    if (result !== undefined) logQuery(this.#log, text, params, performance.now() - started, result.rowCount);
    return result;
  }

  /**
   * Runs `work` inside a savepoint: its failure rolls back only its own writes, then rethrows.
   * @throws whatever `work` threw, even when rolling back to the savepoint fails too (that failure is logged;
   * the transaction is then aborted and its COMMIT will fail).
   */
  async savepoint<T>(work: () => Promise<T>): Promise<T> {
    const name = `sqlwright_sp_${++this.#savepoints}`;
    await this.query(`SAVEPOINT ${name}`);
    try {
      const result = await work();
      await this.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      try {
        await this.query(`ROLLBACK TO SAVEPOINT ${name}`);
        await this.query(`RELEASE SAVEPOINT ${name}`);
      } catch (rollbackError) {
        this.#log.logger.error({ database: this.#log.database, savepoint: name, error: rollbackError, original: error }, 'rollback to savepoint failed');
      }
      throw error;
    }
  }
}

/** Where a transaction gets its connection: a dialect, or the replica router. */
export interface ConnectionSource {
  acquire(): Promise<DialectConnection>;
}

/** Which connection the current async call chain's transaction runs on, per connection source. */
export const activeTransaction = new AsyncLocalStorage<Map<ConnectionSource, Scope>>();

function delayFor(attempt: number, retry: Required<RetryOptions>): number {
  const cap = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  return Math.random() * cap;
}

function retrySettings(option: TransactionOptions['retry']): Required<RetryOptions> {
  const given = typeof option === 'object' ? option : {};
  return { attempts: option ? (given.attempts ?? 3) : 1, baseDelayMs: given.baseDelayMs ?? 20, maxDelayMs: given.maxDelayMs ?? 500 };
}

/** @throws NestedTransactionError when a nested call's options contradict the transaction it would join. */
function assertCanJoin(outer: BeginOptions, nested: TransactionOptions): void {
  if (nested.readOnly && !outer.readOnly) {
    throw new NestedTransactionError('a read-only transaction cannot join the read-write transaction open on this connection: run it outside that transaction');
  }
  if (nested.isolation !== undefined && nested.isolation !== outer.isolation) {
    throw new NestedTransactionError(
      `a transaction asking for isolation ${nested.isolation} cannot join the open transaction ` +
        `(${outer.isolation ?? 'the server default isolation'}): nested transactions share the outer one's isolation`,
    );
  }
}

/**
 * BEGIN, run, COMMIT; ROLLBACK and rethrow on any error; the connection always goes back (or is
 * discarded when even ROLLBACK failed). Inside an active transaction of the same dialect it becomes a
 * savepoint instead (see TransactionOptions for which nested options conflict). Serialization failures are
 * retried with jittered backoff when asked to.
 * @throws TransactionAbortedError when `work` returned normally after a statement error it caught: nothing was saved.
 * @throws NestedTransactionError before any SQL when a nested call conflicts with the open transaction.
 */
export async function runTransaction<T>(
  source: ConnectionSource,
  log: QueryLogSettings,
  options: TransactionOptions,
  work: (scope: Scope) => Promise<T>,
): Promise<T> {
  const outer = activeTransaction.getStore()?.get(source);
  if (outer) {
    assertCanJoin(outer.transactionOptions ?? {}, options);
    return outer.savepoint(() => work(outer));
  }

  const retry = retrySettings(options.retry);
  for (let attempt = 1; ; attempt++) {
    const connection = await source.acquire();
    const scope = new Scope(connection, log, { readOnly: options.readOnly, isolation: options.isolation });
    let broken = false;
    try {
      await connection.begin(options);
      const scopes = new Map(activeTransaction.getStore() ?? []);
      scopes.set(source, scope);
      const result = await activeTransaction.run(scopes, () => work(scope));
      await connection.commit();
      return result;
    } catch (error) {
      try {
        await connection.rollback();
      } catch {
        broken = true;
      }
      if (error instanceof SerializationError && attempt < retry.attempts) {
        log.logger.warn({ database: log.database, attempt, error }, 'transaction serialization failure, retrying');
        await new Promise((resolve) => setTimeout(resolve, delayFor(attempt, retry)));
        continue;
      }
      log.logger.error(
        { database: log.database, error_type: (error as Error)?.name ?? typeof error, error_message: (error as Error)?.message ?? String(error) },
        'Database transaction failed',
      );
      throw error;
    } finally {
      if (broken) connection.invalidate('rollback failed');
      else connection.release();
    }
  }
}
