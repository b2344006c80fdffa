import type { QueryOptions, QueryResult } from '../../executor.js';
import type { BeginOptions, DialectConnection } from '../dialect.js';
import type { PgResultLike, PooledConnection } from '../../pool/index.js';
import { postgresCodec } from './codec.js';
import { translatePostgresError } from './errors.js';

const ISOLATION_SQL = {
  'read committed': ' ISOLATION LEVEL READ COMMITTED',
  'repeatable read': ' ISOLATION LEVEL REPEATABLE READ',
  serializable: ' ISOLATION LEVEL SERIALIZABLE',
} as const;

export interface PostgresConnectionSettings {
  /** 'unnamed' never sends a statement name (PgBouncer transaction mode). */
  preparedStatements: 'named' | 'unnamed';
  /** Session-level SET is off (PgBouncer): timeouts go per transaction with set_config(..., true). */
  perTransactionSettings: boolean;
  statementTimeoutMs: number;
}

/** One pooled pg connection as a DialectConnection: typed errors, optional statement names, BEGIN options. */
export class PostgresConnection implements DialectConnection {
  readonly dialect = 'postgres' as const;
  readonly codec = postgresCodec;
  readonly #pooled: PooledConnection;
  readonly #settings: PostgresConnectionSettings;
  #inTransaction = false;

  constructor(pooled: PooledConnection, settings: PostgresConnectionSettings) {
    this.#pooled = pooled;
    this.#settings = settings;
  }

  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    if (!this.#inTransaction && this.#settings.perTransactionSettings && this.#settings.statementTimeoutMs > 0) {
      return this.#inOwnTransaction<R>(text, params, options);
    }
    return this.#run<R>(text, params, options);
  }

  /**
   * Behind PgBouncer a session SET would leak to other clients, so a lone statement gets its timeout from
   * a transaction of its own: BEGIN and SET LOCAL in one round trip, the statement, COMMIT.
   */
  async #inOwnTransaction<R>(text: string, params: readonly unknown[] | undefined, options: QueryOptions | undefined): Promise<QueryResult<R>> {
    // One query at a time per client: pg 8 deprecates queueing queries on a busy client.
    await this.#run(`BEGIN; SELECT set_config('statement_timeout', '${Math.trunc(this.#settings.statementTimeoutMs)}ms', true)`);
    try {
      const result = await this.#run<R>(text, params, options);
      await this.#run('COMMIT');
      return result;
    } catch (error) {
      await this.#run('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async #run<R>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    const name = this.#settings.preparedStatements === 'named' ? options?.name : undefined;
    try {
      const answer: PgResultLike | PgResultLike[] = await this.#pooled.query(text, params, name ? { name } : undefined);
      // a multi-statement simple query (BEGIN; SET LOCAL) answers with one result per statement
      const result = Array.isArray(answer) ? answer[answer.length - 1] : answer;
      return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
    } catch (error) {
      throw translatePostgresError(error, text);
    }
  }

  async begin(options: BeginOptions = {}): Promise<void> {
    const isolation = options.isolation ? ISOLATION_SQL[options.isolation] : '';
    const timeout = options.statementTimeoutMs ?? (this.#settings.perTransactionSettings ? this.#settings.statementTimeoutMs : 0);
    const setTimeout = timeout > 0 ? `; SELECT set_config('statement_timeout', '${Math.trunc(timeout)}ms', true)` : '';
    await this.#run(`BEGIN${isolation}${options.readOnly ? ' READ ONLY' : ''}${setTimeout}`);
    this.#inTransaction = true;
  }

  async commit(): Promise<void> {
    this.#inTransaction = false;
    await this.#run('COMMIT');
  }

  async rollback(): Promise<void> {
    this.#inTransaction = false;
    await this.#run('ROLLBACK');
  }

  release(): void {
    this.#pooled.release();
  }

  invalidate(reason?: string): void {
    this.#pooled.invalidate(reason);
  }
}
