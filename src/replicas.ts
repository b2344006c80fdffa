import type { BeginOptions, Dialect, DialectConnection } from './dialect/dialect.js';
import { DatabaseUnavailableError, PoolTimeoutError } from './errors.js';
import type { QueryOptions, QueryResult } from './executor.js';
import type { Logger } from './log.js';

export interface ReplicaOptions {
  maxLagMs: number;
  retryMs: number;
  /** Where reads go when no replica is usable; undefined = fail. */
  fallback?: Dialect;
  logger: Logger;
  database: string;
}

/**
 * How far behind the replica is, in ms. NULL when it is not receiving WAL (no streaming WAL receiver: the
 * replication connection is cut or the primary unreachable), however little it has left to replay: what it
 * has is stale by an unknown amount. Else zero when it has replayed all it received (an idle primary sends
 * nothing new; after a restart the receive position starts behind the replay position), else the age of the
 * last replayed transaction. A server not in recovery is nobody's standby: zero. Roles without
 * pg_read_all_stats see only the receiver's pid (status NULL), so for them "receiving" means one is running.
 */
const LAG_SQL = `SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN receiver.pid IS NULL OR receiver.status <> 'streaming' THEN NULL
    WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000, 0) END AS lag_ms
  FROM (SELECT 1) AS one LEFT JOIN pg_stat_wal_receiver AS receiver ON true`;

interface Replica {
  name: string;
  dialect: Dialect;
  /** Out of rotation until this time (Date.now()); 0 = in rotation. */
  downUntil: number;
  /** When lag was last measured. */
  checkedAt: number;
  lastError?: string;
}

export interface ReplicaState {
  name: string;
  inRotation: boolean;
  lastError?: string;
}

/**
 * Lends read connections from streaming replicas, round robin. A replica that cannot be reached, is not
 * receiving WAL, or lags more than `maxLagMs`, leaves the rotation for `retryMs` and is tried again after;
 * with none left, the fallback (the primary) serves, or the read fails. A replica connection found dead at
 * BEGIN takes its replica out too, and the read starts over on the next usable source.
 */
export class ReplicaRouter {
  readonly #replicas: Replica[];
  readonly #options: ReplicaOptions;
  #next = 0;

  constructor(replicas: { name: string; dialect: Dialect }[], options: ReplicaOptions) {
    this.#replicas = replicas.map((r) => ({ ...r, downUntil: 0, checkedAt: 0 }));
    this.#options = options;
  }

  get dialects(): { name: string; dialect: Dialect }[] {
    return this.#replicas.map(({ name, dialect }) => ({ name, dialect }));
  }

  state(): ReplicaState[] {
    const now = Date.now();
    return this.#replicas.map((r) => ({ name: r.name, inRotation: r.downUntil <= now, ...(r.lastError ? { lastError: r.lastError } : {}) }));
  }

  /**
   * A connection from the next usable replica, else from the fallback.
   * @throws DatabaseUnavailableError when no replica is usable and there is no fallback.
   */
  async acquire(): Promise<DialectConnection> {
    const count = this.#replicas.length;
    const start = this.#next++ % Math.max(count, 1);
    for (let i = 0; i < count; i++) {
      const replica = this.#replicas[(start + i) % count];
      if (replica.downUntil > Date.now()) continue;
      const connection = await this.#tryReplica(replica);
      if (connection) return new FailoverConnection(connection, (error) => this.#failOver(replica, error));
    }
    const fallback = this.#options.fallback;
    if (!fallback) throw new DatabaseUnavailableError(`no replica of ${this.#options.database} is available for reads (${this.#describe()})`);
    return fallback.acquire();
  }

  async #tryReplica(replica: Replica): Promise<DialectConnection | undefined> {
    let connection: DialectConnection;
    try {
      connection = await replica.dialect.acquire();
    } catch (error) {
      if (error instanceof DatabaseUnavailableError || error instanceof PoolTimeoutError) {
        this.#takeOut(replica, (error as Error).message);
        return undefined;
      }
      throw error;
    }
    if (Date.now() - replica.checkedAt < this.#options.retryMs) return connection;
    try {
      const { rows } = await connection.query<{ lag_ms: number | string | null }>(LAG_SQL);
      const lag = rows[0].lag_ms;
      replica.checkedAt = Date.now();
      if (lag === null || Number(lag) > this.#options.maxLagMs) {
        connection.release();
        const reason = lag === null ? 'not receiving WAL from the primary (no streaming WAL receiver)' : `replication lag ${Math.round(Number(lag))} ms exceeds ${this.#options.maxLagMs} ms`;
        this.#takeOut(replica, reason);
        return undefined;
      }
      if (replica.lastError) {
        this.#options.logger.info({ database: this.#options.database, replica: replica.name }, 'replica back in rotation');
        replica.lastError = undefined;
      }
      return connection;
    } catch (error) {
      connection.invalidate('lag check failed');
      this.#takeOut(replica, (error as Error).message);
      return undefined;
    }
  }

  /** A connection of `replica` died before anything ran on it: out of rotation, and the next source instead. */
  #failOver(replica: Replica, error: DatabaseUnavailableError): Promise<DialectConnection> {
    this.#takeOut(replica, `connection lost before BEGIN: ${error.message}`);
    return this.acquire();
  }

  #takeOut(replica: Replica, reason: string): void {
    replica.downUntil = Date.now() + this.#options.retryMs;
    replica.checkedAt = 0;
    replica.lastError = reason;
    this.#options.logger.warn({ database: this.#options.database, replica: replica.name, reason, retryMs: this.#options.retryMs }, 'replica taken out of rotation');
  }

  #describe(): string {
    return this.#replicas.map((r) => `${r.name}: ${r.lastError ?? 'out of rotation'}`).join('; ') || 'none configured';
  }
}

/**
 * A replica's connection as lent for a read. When BEGIN finds it dead (DatabaseUnavailableError), nothing has
 * run on it yet, so the transaction starts on a replacement instead (`replace` takes the replica out and
 * acquires from the next usable source) rather than failing the read.
 */
class FailoverConnection implements DialectConnection {
  readonly dialect: DialectConnection['dialect'];
  readonly codec: DialectConnection['codec'];
  readonly #replace: (error: DatabaseUnavailableError) => Promise<DialectConnection>;
  /** undefined once the dead one is discarded and no replacement came. */
  #current: DialectConnection | undefined;

  constructor(connection: DialectConnection, replace: (error: DatabaseUnavailableError) => Promise<DialectConnection>) {
    this.dialect = connection.dialect;
    this.codec = connection.codec;
    this.#current = connection;
    this.#replace = replace;
  }

  async begin(options?: BeginOptions): Promise<void> {
    try {
      await this.#connection().begin(options);
    } catch (error) {
      if (!(error instanceof DatabaseUnavailableError)) throw error;
      this.#connection().invalidate('lost before BEGIN');
      this.#current = undefined;
      this.#current = await this.#replace(error);
      await this.#current.begin(options);
    }
  }

  async query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>> {
    return this.#connection().query<R>(text, params, options);
  }

  async commit(): Promise<void> {
    await this.#connection().commit();
  }

  async rollback(): Promise<void> {
    await this.#connection().rollback();
  }

  release(): void {
    this.#current?.release();
  }

  invalidate(reason?: string): void {
    this.#current?.invalidate(reason);
  }

  /** @throws DatabaseUnavailableError when the dead connection was discarded and no replacement came. */
  #connection(): DialectConnection {
    if (!this.#current) throw new DatabaseUnavailableError('the replica connection was lost before BEGIN and no other source could be acquired');
    return this.#current;
  }
}
