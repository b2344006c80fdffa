/**
 * Opening connections for the waiters: one connect for each waiter no connect covers yet, within capacity,
 * and what a failed connect means for them. A waiter is never tied to the connect it started: whatever frees
 * up first serves the oldest waiter (waiters.ts).
 */
import { DatabaseUnavailableError, QueryTimeoutError } from '../errors.js';
import { waitAtMost, type Clock, type TimerHandle } from './clock.js';
import { CLOSE_TIMEOUT_MS, openClient } from './connect.js';
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
  /**
   * Every connect not over yet, with what stops it: in progress, or given up on with its factory still
   * running. Each promise settles once the connect's client is put to use or closed, and never rejects.
   */
  readonly #connects = new Map<AbortController, Promise<void>>();
  #lastError: unknown;
  /** Pending after a connect failed while connections were lent: no connect starts until it fires. */
  #retry: TimerHandle | undefined;
  /** Since that failure: one connect at a time, until one succeeds (or the pause ends with nobody waiting). */
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
   * failure, then one at a time: none while a connect is in progress); then times out the overdue waiters
   * left uncovered. Every acquire() and every closed connection calls this, so the limits hold across calls.
   */
  fill(): void {
    // Nobody waits and no connect is in progress or due: whatever refused the last one is no longer the question.
    if (this.#waiters.size === 0 && this.#opening === 0 && this.#retry === undefined) this.#probing = false;
    while (
      !this.#stopped && this.#retry === undefined && !(this.#probing && this.#opening > 0) &&
      this.#waiters.size > this.#opening && this.#host.openCount() + this.#opening < this.#max
    ) {
      this.#start();
    }
    this.#waiters.recheck();
  }

  /**
   * No connect starts any more (the pool is ending); those not over yet are aborted with `reason`. Resolves
   * once each has handed its client to the pool or closed it, or after {@link CLOSE_TIMEOUT_MS} (a factory
   * that ignores its abort signal).
   */
  async stop(reason: unknown): Promise<void> {
    this.#stopped = true;
    this.#cancelRetry();
    if (this.#connects.size === 0) return;
    for (const stop of this.#connects.keys()) stop.abort(reason);
    await waitAtMost(this.#clock, Promise.all(this.#connects.values()), CLOSE_TIMEOUT_MS);
  }

  #start(): void {
    const stop = new AbortController();
    const finished = this.#open(stop.signal);
    this.#connects.set(stop, finished);
    void finished.then(() => this.#connects.delete(stop));
  }

  async #open(stop: AbortSignal): Promise<void> {
    this.#opening++;
    const o = this.#o;
    const startedAt = this.#clock.now();
    const { client, done } = openClient(o.connect, this.#clock, o.connectTimeoutMs, stop);
    let entry: PoolEntry | undefined;
    try {
      entry = this.#host.entryFor(await client);
      if (stop.aborted) throw stop.reason;
      await this.#setUpSession(entry, startedAt, stop);
    } catch (error) {
      this.#opening--;
      this.#failed(error);
      // What is left runs on: a factory given up on, the close of a half-set-up connection (end() waits for it).
      await Promise.all([done, entry?.close()]);
      return;
    }
    this.#opening--;
    this.#lastError = undefined;
    this.#probing = false;
    this.#host.opened(entry);
    // While probing, the other waiters got no connect of their own.
    this.fill();
  }

  /** The session SET, within what is left of `connectTimeoutMs` since `startedAt`; `stop` closes the connection. */
  async #setUpSession(entry: PoolEntry, startedAt: number, stop: AbortSignal): Promise<void> {
    const o = this.#o;
    if (o.statementTimeoutMs <= 0 || !o.sessionSettings) return;
    const msLeft = Math.max(1, startedAt + o.connectTimeoutMs - this.#clock.now());
    const close = () => void entry.close();
    stop.addEventListener('abort', close, { once: true });
    try {
      await entry.query(setSessionStatementTimeoutSql(o.statementTimeoutMs), undefined, { timeoutMs: msLeft });
    } catch (error) {
      if (!(error instanceof QueryTimeoutError)) throw error;
      throw new DatabaseUnavailableError(`connect timed out after ${o.connectTimeoutMs}ms (setting up the session)`, { cause: error });
    } finally {
      stop.removeEventListener('abort', close);
    }
  }

  /**
   * A connect failed; its slot is free again. With a live connection lent, the refusal may be for this slot
   * only (53300 too many clients) and releases will serve the queue: the waiters stay queued, bounded by
   * `poolTimeoutMs`, and one connect is tried again after a pause, not one per waiter at once. With none,
   * the database is down: the waiter this connect covered gets `DatabaseUnavailableError` now, and the next
   * ones a connect of their own (so a transient failure costs one caller).
   */
  #failed(error: unknown): void {
    if (!this.#stopped) {
      this.#metrics.count('connectFailures');
      this.#lastError = error;
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
