/**
 * Opening connections for the waiters: one connect for each waiter no connect covers yet, within capacity,
 * and what a failed connect means for them. A waiter is never tied to the connect it started: whatever frees
 * up first serves the oldest waiter (waiters.ts).
 */
import { DatabaseUnavailableError, QueryTimeoutError } from '../errors.js';
import type { Clock, TimerHandle } from './clock.js';
import { openClient } from './connect.js';
import type { PoolEntry } from './entry.js';
import type { MetricsRecorder } from './metrics.js';
import { setSessionStatementTimeoutSql, type PgClientLike, type ResolvedPoolOptions } from './options.js';
import type { WaiterQueue } from './waiters.js';

/** The pause before connecting again after a connect failed while connections were lent. */
export const CONNECT_RETRY_MS = 200;

/** What the opener needs from the pool. */
export interface OpenerHost {
  /** Open connections: idle, reserved, lent or resetting (not those being opened or closed). */
  openCount(): number;
  /** True when an open connection may still come back and serve a waiter (neither broken nor stale). */
  hasLiveConnection(): boolean;
  /** The pool's bookkeeping for a client just connected. */
  entryFor(client: PgClientLike): PoolEntry;
  /** A connection opened and set up: the pool counts it and puts it to use. */
  opened(entry: PoolEntry): void;
  /** A connect ended without a connection: its slot is free. */
  failed(): void;
}

export class ConnectionOpener {
  readonly #o: ResolvedPoolOptions;
  readonly #clock: Clock;
  readonly #max: number;
  readonly #waiters: WaiterQueue;
  readonly #metrics: MetricsRecorder;
  readonly #host: OpenerHost;
  /** Connects in progress; each covers one of the oldest waiters. */
  #opening = 0;
  #lastError: unknown;
  /** Pending after a connect failed while connections were lent: no connect starts until it fires. */
  #retry: TimerHandle | undefined;
  /** Since that failure: one connect at a time, until one succeeds. */
  #probing = false;
  #stopped = false;

  constructor(options: ResolvedPoolOptions, clock: Clock, waiters: WaiterQueue, metrics: MetricsRecorder, host: OpenerHost) {
    this.#o = options;
    this.#clock = clock;
    this.#max = options.poolSize + options.maxOverflow;
    this.#waiters = waiters;
    this.#metrics = metrics;
    this.#host = host;
  }

  /** Connects in progress. */
  get opening(): number {
    return this.#opening;
  }

  /** The last connect's error, until a connect succeeds. */
  get lastError(): unknown {
    return this.#lastError;
  }

  /**
   * Opens connections for the waiters no connect covers, within capacity (none during the pause after a
   * failure, then one at a time); then times out the overdue waiters left uncovered.
   */
  fill(): void {
    while (!this.#stopped && this.#retry === undefined && this.#waiters.size > this.#opening && this.#host.openCount() + this.#opening < this.#max) {
      void this.#open();
      if (this.#probing) break;
    }
    this.#waiters.recheck();
  }

  /** No connect starts any more (the pool is ending); those in progress finish. */
  stop(): void {
    this.#stopped = true;
    this.#cancelRetry();
  }

  async #open(): Promise<void> {
    this.#opening++;
    let entry: PoolEntry;
    try {
      entry = await this.#connect();
    } catch (error) {
      this.#opening--;
      this.#failed(error);
      return;
    }
    this.#opening--;
    this.#lastError = undefined;
    this.#probing = false;
    this.#host.opened(entry);
    // While probing, the other waiters got no connect of their own.
    this.fill();
  }

  /** `connect()` and the session SET, within one `connectTimeoutMs` together. */
  async #connect(): Promise<PoolEntry> {
    const o = this.#o;
    const startedAt = this.#clock.now();
    const entry = this.#host.entryFor(await openClient(o.connect, this.#clock, o.connectTimeoutMs));
    if (o.statementTimeoutMs <= 0 || !o.sessionSettings) return entry;
    const msLeft = Math.max(1, startedAt + o.connectTimeoutMs - this.#clock.now());
    try {
      await entry.query(setSessionStatementTimeoutSql(o.statementTimeoutMs), undefined, { timeoutMs: msLeft });
    } catch (error) {
      void entry.close();
      if (!(error instanceof QueryTimeoutError)) throw error;
      throw new DatabaseUnavailableError(`connect timed out after ${o.connectTimeoutMs}ms (setting up the session)`, { cause: error });
    }
    return entry;
  }

  /**
   * A connect failed; its slot is free again. With a live connection lent, the refusal may be for this slot
   * only (53300 too many clients) and releases will serve the queue: the waiters stay queued, bounded by
   * `poolTimeoutMs`, and one connect is tried again after a pause, not one per waiter at once. With none,
   * the database is down: the waiter this connect covered gets `DatabaseUnavailableError` now, and the next
   * ones a connect of their own (so a transient failure costs one caller).
   */
  #failed(error: unknown): void {
    this.#metrics.count('connectFailures');
    this.#lastError = error;
    if (!this.#stopped) {
      if (this.#host.hasLiveConnection()) {
        this.#probing = true;
        this.#retry ??= this.#clock.setTimeout(() => {
          this.#retry = undefined;
          this.fill();
        }, CONNECT_RETRY_MS);
      } else {
        this.#probing = false;
        this.#cancelRetry();
        const message = error instanceof Error ? error.message : String(error);
        this.#waiters.failOldest(new DatabaseUnavailableError(`could not connect to the database (pool '${this.#o.name}'): ${message}`, { cause: error }));
      }
      // Starts those connects, or, during the pause, times out the overdue waiter this one covered.
      this.fill();
    }
    this.#host.failed();
  }

  #cancelRetry(): void {
    if (this.#retry === undefined) return;
    this.#clock.clearTimeout(this.#retry);
    this.#retry = undefined;
  }
}
