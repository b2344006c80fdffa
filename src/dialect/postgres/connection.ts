import type { QueryOptions, QueryResult } from '../../executor.js';
import type { BeginOptions, DialectConnection } from '../dialect.js';
import type { PgResultLike, PooledConnection } from '../../pool/index.js';
import { TransactionAbortedError } from '../../errors.js';
import { postgresCodec } from './codec.js';
import { translatePostgresError } from './errors.js';
import { opensTransaction } from './transaction-control.js';

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

/** pg's result also names the command the server completed (`COMMIT`, `ROLLBACK`, ...). */
interface CommandResult extends PgResultLike {
  command?: string;
}

/** `set_config(..., true)` is SET LOCAL in a statement that also works as part of a multi-statement string. */
function setLocalTimeoutSql(timeoutMs: number): string {
  return `SELECT set_config('statement_timeout', '${Math.trunc(timeoutMs)}ms', true)`;
}

/** One pooled pg connection as a DialectConnection: typed errors, optional statement names, BEGIN options. */
export class PostgresConnection implements DialectConnection {
  readonly dialect = 'postgres' as const;
  readonly codec = postgresCodec;
  readonly #pooled: PooledConnection;
  readonly #settings: PostgresConnectionSettings;

  constructor(pooled: PooledConnection, settings: PostgresConnectionSettings) {
    this.#pooled = pooled;
    this.#settings = settings;
  }

  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    // Inside a transaction (ours or the caller's own, as the server reports it) statements run as sent.
    if (!this.#settings.perTransactionSettings || this.#settings.statementTimeoutMs <= 0 || this.#pooled.inTransaction()) {
      return this.#run<R>(text, params, options);
    }
    if (opensTransaction(text)) return this.#openedByCaller<R>(text, params, options);
    return this.#inOwnTransaction<R>(text, params, options);
  }

  /** A caller's BEGIN: run as sent; the transaction it opened gets the timeout a wrapped statement would. */
  async #openedByCaller<R>(text: string, params: readonly unknown[] | undefined, options: QueryOptions | undefined): Promise<QueryResult<R>> {
    const result = await this.#run<R>(text, params, options);
    if (this.#pooled.inTransaction()) await this.#run(setLocalTimeoutSql(this.#settings.statementTimeoutMs));
    return result;
  }

  /**
   * Behind PgBouncer a session SET would leak to other clients, so a lone statement gets its timeout from
   * a transaction of its own: BEGIN and SET LOCAL in one round trip, the statement, COMMIT.
   */
  async #inOwnTransaction<R>(text: string, params: readonly unknown[] | undefined, options: QueryOptions | undefined): Promise<QueryResult<R>> {
    // One query at a time per client: pg 8 deprecates queueing queries on a busy client.
    await this.#run(`BEGIN; ${setLocalTimeoutSql(this.#settings.statementTimeoutMs)}`);
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
    const result = await this.#send(text, params, options);
    return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
  }

  async #send(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<CommandResult> {
    const name = this.#settings.preparedStatements === 'named' ? options?.name : undefined;
    try {
      const answer: CommandResult | CommandResult[] = await this.#pooled.query(text, params, name ? { name } : undefined);
      // a multi-statement simple query (BEGIN; SET LOCAL) answers with one result per statement
      return Array.isArray(answer) ? answer[answer.length - 1] : answer;
    } catch (error) {
      throw translatePostgresError(error, text);
    }
  }

  async begin(options: BeginOptions = {}): Promise<void> {
    const isolation = options.isolation ? ISOLATION_SQL[options.isolation] : '';
    const timeout = options.statementTimeoutMs ?? (this.#settings.perTransactionSettings ? this.#settings.statementTimeoutMs : 0);
    const setTimeout = timeout > 0 ? `; ${setLocalTimeoutSql(timeout)}` : '';
    await this.#run(`BEGIN${isolation}${options.readOnly ? ' READ ONLY' : ''}${setTimeout}`);
  }

  /** @throws TransactionAbortedError when an earlier error had aborted the transaction: PostgreSQL then rolls back. */
  async commit(): Promise<void> {
    // COMMIT of an aborted transaction is no error on the wire: the server rolls back and answers ROLLBACK.
    const reply = await this.#send('COMMIT');
    if (reply.command === 'ROLLBACK') throw new TransactionAbortedError();
  }

  async rollback(): Promise<void> {
    await this.#run('ROLLBACK');
  }

  release(): void {
    this.#pooled.release();
  }

  invalidate(reason?: string): void {
    this.#pooled.invalidate(reason);
  }
}
