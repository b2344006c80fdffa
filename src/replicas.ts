import type { Dialect, DialectConnection } from './dialect/dialect.js';
import { DatabaseUnavailableError, PoolTimeoutError } from './errors.js';
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
 * Zero when the replica has replayed all it received (after a restart the receive position starts behind
 * the replay position); else the age of the last replayed transaction.
 */
const LAG_SQL = `SELECT CASE WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
  ELSE COALESCE(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000, 0) END AS lag_ms`;

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
 * Lends read connections from streaming replicas, round robin. A replica that cannot be reached, or lags
 * more than `maxLagMs`, leaves the rotation for `retryMs` and is tried again after; with none left, the
 * fallback (the primary) serves, or the read fails.
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
      if (connection) return connection;
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
      const { rows } = await connection.query<{ lag_ms: number | string }>(LAG_SQL);
      const lagMs = Number(rows[0].lag_ms);
      replica.checkedAt = Date.now();
      if (lagMs > this.#options.maxLagMs) {
        connection.release();
        this.#takeOut(replica, `replication lag ${Math.round(lagMs)} ms exceeds ${this.#options.maxLagMs} ms`);
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
