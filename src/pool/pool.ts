/**
 * The pool: acquire, give back, status, shutdown. It only orchestrates; a connection's bookkeeping is in
 * entry.ts, its legal states in entry-state.ts, waiting in waiters.ts, opening in opener.ts, pre-ping in
 * validate.ts, upkeep in housekeeper.ts, counters and events in metrics.ts.
 */
import { PoolTimeoutError, SqlwrightError, type PoolStatus } from '../errors.js';
import { waitAtMost, type Clock } from './clock.js';
import { ConnectionHandle, PoolEntry, type PooledConnection } from './entry.js';
import { DeadlineList } from './deadlines.js';
import { Housekeeper, lifetimeWithJitter } from './housekeeper.js';
import { EventSink, MetricsRecorder, type PoolEvent, type PoolEventType, type PoolMetrics } from './metrics.js';
import { ConnectionOpener } from './opener.js';
import { resolvePoolOptions, type PoolOptions, type ResolvedPoolOptions } from './options.js';
import { PrePings, needsPing } from './validate.js';
import { WaiterQueue } from './waiters.js';

/** A connection pool over `pg.Client`-like connections. */
export interface Pool {
  /**
   * Lends a connection: an idle one (most recently used first, pre-pinged outside the bypass window), a new
   * one while below `poolSize + maxOverflow`, else the next one released, first come first served.
   * @throws PoolTimeoutError when none came within `poolTimeoutMs` while the pool was at capacity or its
   * connects failed, or when its pre-ping was still running then (carries `status` and the last connect
   * error or pre-ping failure).
   * @throws DatabaseUnavailableError when the connect this caller was waiting on failed or timed out with no
   * connection open (the database is down or unreachable), or when pre-pings found dead connections until
   * its time ran out.
   * @throws SqlwrightError `pool_closed` after `end()`, also to a checkout whose pre-ping is in flight.
   */
  acquire(): Promise<PooledConnection>;
  /** A snapshot of the counts (see docs/pool.md for the exact meaning of each field). */
  status(): PoolStatus;
  /** Counters since creation and acquire-wait percentiles. */
  metrics(): PoolMetrics;
  /** Subscribes to an event; a listener that throws is logged and ignored. */
  on(event: PoolEventType, listener: (e: PoolEvent) => void): void;
  /** Marks every open connection for replacement: idle ones are closed now, lent ones when they come back. */
  invalidateIdle(): void;
  /** Stops checkouts, waits up to `timeoutMs` (default 10 000) for lent connections, then closes the rest. */
  end(timeoutMs?: number): Promise<void>;
}

/**
 * Creates a pool. No connection is opened until the first `acquire()`.
 * @throws ValidationError when an option is invalid.
 */
export function createPool(options: PoolOptions): Pool {
  return new ConnectionPool(resolvePoolOptions(options));
}

type RetireKind = 'invalid' | 'recycled' | 'closed';

class ConnectionPool implements Pool {
  readonly #o: ResolvedPoolOptions;
  readonly #clock: Clock;
  readonly #max: number;
  readonly #guardMs: number;
  /** Idle connections; the end of the array is the most recently returned (LIFO reuse). */
  readonly #idle: PoolEntry[] = [];
  /** Every open connection not being closed: idle, reserved, lent or resetting. */
  readonly #all = new Set<PoolEntry>();
  readonly #waiters: WaiterQueue;
  readonly #opener: ConnectionOpener;
  readonly #pings: PrePings;
  /** Query guards and leak watches of all connections, on one lazy timer. */
  readonly #deadlines: DeadlineList;
  readonly #metrics = new MetricsRecorder();
  readonly #events: EventSink;
  readonly #housekeeper: Housekeeper;
  readonly #closes = new Set<Promise<void>>();
  #ending = false;
  #ended: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  constructor(options: ResolvedPoolOptions) {
    this.#o = options;
    this.#clock = options.clock;
    this.#max = options.poolSize + options.maxOverflow;
    this.#guardMs = options.statementTimeoutMs > 0 ? options.statementTimeoutMs + options.queryTimeoutGraceMs : 0;
    this.#waiters = new WaiterQueue(this.#clock, () => this.#opener.opening);
    this.#deadlines = new DeadlineList(this.#clock);
    this.#events = new EventSink(options.logger);
    const pool = this;
    this.#opener = new ConnectionOpener(options, this.#clock, this.#waiters, this.#metrics, {
      openCount: () => this.#all.size,
      hasLiveConnection: () => {
        for (const entry of this.#all) if (entry.broken === undefined && !entry.stale) return true;
        return false;
      },
      entryFor: (client) => new PoolEntry(client, this.#clock, this.#deadlines, lifetimeWithJitter(options.recycleMs), this.#guardMs, this.#onLost),
      opened: (entry) => pool.#opened(entry),
      failed: () => pool.#checkDrained(),
    });
    this.#pings = new PrePings(options, this.#clock, this.#deadlines, this.#metrics, {
      retire: (entry, reason, kind, error) => pool.#retire(entry, reason, kind, error),
      markStale: (beforeId) => pool.#markStale(beforeId, 'stale'),
      offer: (entry) => pool.#offer(entry),
    });
    this.#housekeeper = new Housekeeper(this.#clock, {
      idle: () => this.#idle,
      total: () => this.#total(),
      poolSize: options.poolSize,
      retire: (entry, reason) => pool.#retire(entry, reason, reason === 'recycled' ? 'recycled' : 'closed'),
    }, options.idleTimeoutMs, options.recycleMs);
    this.#housekeeper.start();
  }

  status(): PoolStatus {
    const total = this.#total();
    return {
      size: this.#o.poolSize,
      checkedIn: this.#idle.length,
      checkedOut: this.#all.size - this.#idle.length,
      overflow: Math.max(0, total - this.#o.poolSize),
      invalid: this.#metrics.get('connectionsInvalidated'),
      waiting: this.#waiters.size,
      total,
      max: this.#max,
    };
  }

  metrics(): PoolMetrics {
    return this.#metrics.snapshot();
  }

  on(event: PoolEventType, listener: (e: PoolEvent) => void): void {
    this.#events.on(event, listener);
  }

  invalidateIdle(): void {
    this.#markStale(Infinity, 'invalidated');
  }

  acquire(): Promise<PooledConnection> {
    if (this.#ending) return Promise.reject(this.#closedError());
    const start = this.#clock.now();
    // Fast path, the common case: an idle connection that needs neither replacing nor a ping, and nobody
    // ahead in the queue. Everything is synchronous, so no async frame, no await and one clock read.
    const idle = this.#idle;
    if (idle.length > 0 && this.#waiters.size === 0) {
      const entry = idle[idle.length - 1];
      if (!entry.stale && !entry.isExpired(start) && !needsPing(entry, start, this.#o.prePing, this.#o.prePingBypassMs)) {
        idle.pop();
        try {
          entry.moveTo('reserved');
          return Promise.resolve(this.#checkout(entry, start, start));
        } catch (error) {
          return Promise.reject(error);
        }
      }
    }
    return this.#acquireSlow(start);
  }

  /**
   * Everything else: waiting, opening, replacing stale or expired connections, pre-ping and its retries.
   * `poolTimeoutMs` bounds the wait at capacity and the pre-pings; a connect this caller waits on is bounded
   * by `connectTimeoutMs` instead (waiters.ts), and a ping after that by `pingTimeoutMs`.
   */
  async #acquireSlow(start: number): Promise<PooledConnection> {
    const deadline = start + this.#o.poolTimeoutMs;
    let retry = false;
    let pingError: unknown;
    for (;;) {
      if (this.#ending) throw this.#closedError();
      let entry: PoolEntry;
      // A retrying caller already had its turn, so it may take an idle connection ahead of the queue.
      if (this.#idle.length > 0 && (retry || this.#waiters.size === 0)) {
        entry = this.#idle.pop()!;
        entry.moveTo('reserved');
      } else {
        const waiting = this.#waiters.wait(deadline, () => this.#timeoutError(pingError), retry);
        this.#opener.fill();
        entry = await waiting;
        // Served in the same tick as end(), which could not fail this caller then: no ping, no checkout.
        if (this.#ending) {
          this.#retire(entry, 'pool ended', 'closed');
          throw this.#closedError();
        }
      }
      let now = this.#clock.now();
      if (this.#replaced(entry, now)) {
        retry = true;
        continue;
      }
      if (this.#pings.needed(entry, now)) {
        const failure = await this.#pings.check(entry, now, deadline, () => this.#timeoutError(pingError));
        // Found dead, or marked stale while it answered (invalidateIdle(), a younger connection's failed ping).
        if (failure !== undefined) pingError = failure;
        now = this.#clock.now();
        if (failure !== undefined || this.#replaced(entry, now)) {
          retry = true;
          continue;
        }
      }
      return this.#checkout(entry, start, now);
    }
  }

  /** Retires a connection taken for a checkout that is stale or past its lifetime; true if it was. */
  #replaced(entry: PoolEntry, now: number): boolean {
    if (entry.stale) this.#retire(entry, 'stale', 'invalid');
    else if (entry.isExpired(now)) this.#retire(entry, 'recycled', 'recycled');
    else return false;
    return true;
  }

  end(timeoutMs = 10_000): Promise<void> {
    this.#ended ??= this.#end(timeoutMs);
    return this.#ended;
  }

  async #end(timeoutMs: number): Promise<void> {
    this.#ending = true;
    this.#housekeeper.stop();
    const connectsOver = this.#opener.stop(this.#closedError());
    this.#waiters.failAll(this.#closedError());
    this.#pings.stop(this.#closedError());
    for (const entry of [...this.#idle]) this.#retire(entry, 'pool ended', 'closed');
    if (this.#total() > 0) {
      await waitAtMost(this.#clock, new Promise<void>((resolve) => (this.#drained = resolve)), timeoutMs);
      this.#drained = undefined;
    }
    for (const entry of [...this.#all]) {
      entry.markBroken(this.#closedError());
      this.#retire(entry, 'pool ended', 'closed');
    }
    // A connect aborted above may still be closing its client (or, set up just then, have handed it in to be closed).
    await connectsOver;
    await Promise.all([...this.#closes]);
    this.#deadlines.disarmIfEmpty();
  }

  /** Lends a reserved connection; `now` is a clock reading taken since the last await (none is taken here). */
  #checkout(entry: PoolEntry, start: number, now: number): PooledConnection {
    entry.moveTo('in-use');
    entry.checkedOutAt = now;
    this.#metrics.recordWait(now - start);
    this.#metrics.count('checkouts');
    if (this.#o.leakDetectionMs > 0) entry.watchLeak(this.#o.leakDetectionMs, this.#o.logger, this.#o.name);
    if (this.#events.has('checkout')) this.#emit('checkout', entry, { waitMs: now - start });
    return new ConnectionHandle(entry, this.#giveBack);
  }

  /** The handle's release()/invalidate(); an arrow so each handle can hold it without binding. */
  readonly #giveBack = (entry: PoolEntry, invalidReason: string | undefined): void => {
    const now = this.#clock.now();
    const heldMs = now - entry.checkedOutAt;
    entry.endLeakWatch(heldMs, this.#o.logger, this.#o.name);
    if (entry.state !== 'in-use') return; // end() already closed it
    entry.lastUsedAt = now;
    if (this.#events.has('checkin')) this.#emit('checkin', entry, { heldMs });
    if (invalidReason !== undefined) return this.#retire(entry, invalidReason, 'invalid');
    if (entry.broken !== undefined) return this.#retire(entry, 'broken', 'invalid', entry.broken);
    // A query still running would answer into the next borrower's session.
    if (entry.inFlight > 0) return this.#retire(entry, 'released with a query running', 'invalid');
    if (entry.stale) return this.#retire(entry, 'stale', 'invalid');
    if (entry.isExpired(now)) return this.#retire(entry, 'recycled', 'recycled');
    if (!entry.needsRollback()) return this.#offer(entry);
    entry.moveTo('resetting');
    entry.query('ROLLBACK', undefined, { timeoutMs: this.#o.pingTimeoutMs }).then(
      () => (entry.broken === undefined ? this.#offer(entry) : this.#retire(entry, 'broken', 'invalid', entry.broken)),
      (error: unknown) => this.#retire(entry, 'reset failed', 'invalid', error),
    );
  };

  /** Puts a healthy connection to use: the oldest waiter, else the idle stack, else closes it (pool full). */
  #offer(entry: PoolEntry): void {
    if (this.#ending) return this.#retire(entry, 'pool ended', 'closed');
    if (this.#waiters.size > 0) {
      entry.moveTo('reserved');
      this.#waiters.serve(entry);
      return;
    }
    if (this.#idle.length >= this.#o.poolSize) return this.#retire(entry, 'overflow', 'closed');
    entry.moveTo('idle');
    this.#idle.push(entry);
  }

  /** A new connection from the opener: counted, then put to use. */
  #opened(entry: PoolEntry): void {
    this.#all.add(entry);
    this.#metrics.count('connectionsCreated');
    if (this.#events.has('connect')) this.#emit('connect', entry, {});
    this.#offer(entry);
  }

  /** A client 'error'/'end': an idle connection is evicted at once; a lent one when it is given back. */
  readonly #onLost = (entry: PoolEntry, error: unknown): void => {
    if (entry.state !== 'idle') return;
    this.#o.logger.warn({ pool: this.#o.name, connectionId: entry.id, err: error }, 'idle connection lost; evicted from the pool');
    this.#retire(entry, 'broken', 'invalid', error);
  };

  #retire(entry: PoolEntry, reason: string, kind: RetireKind, error?: unknown): void {
    if (entry.state === 'retiring' || entry.state === 'closed') return;
    if (entry.state === 'idle') this.#idle.splice(this.#idle.indexOf(entry), 1);
    entry.endLeakWatch(undefined);
    entry.moveTo('retiring');
    this.#all.delete(entry);
    if (kind === 'invalid') {
      this.#metrics.count('connectionsInvalidated');
      if (this.#events.has('invalidate')) this.#emit('invalidate', entry, { reason, error });
    } else if (kind === 'recycled') this.#metrics.count('connectionsRecycled');
    this.#metrics.count('connectionsClosed');
    if (this.#events.has('close')) this.#emit('close', entry, { reason, ageMs: this.#clock.now() - entry.createdAt });
    const closing = entry.close().then(() => {
      entry.moveTo('closed');
      this.#closes.delete(closing);
    });
    this.#closes.add(closing);
    // The slot is free now: a waiter may need a replacement.
    this.#opener.fill();
    this.#checkDrained();
  }

  /** Marks the connections opened before connection `beforeId`: idle ones are closed now, lent ones when they come back. */
  #markStale(beforeId: number, reason: string): void {
    for (const entry of this.#all) if (entry.id < beforeId) entry.stale = true;
    for (const entry of [...this.#idle]) if (entry.stale) this.#retire(entry, reason, 'invalid');
  }

  /** Open connections plus those being opened. */
  #total(): number {
    return this.#all.size + this.#opener.opening;
  }

  #checkDrained(): void {
    if (this.#drained && this.#total() === 0) this.#drained();
  }

  #timeoutError(cause: unknown): PoolTimeoutError {
    this.#metrics.count('timeouts');
    return new PoolTimeoutError(this.status(), this.#o.poolTimeoutMs, { cause: cause ?? this.#opener.lastError });
  }

  #closedError(): SqlwrightError {
    return new SqlwrightError('pool_closed', `pool '${this.#o.name}' is closed`);
  }

  #emit(type: PoolEventType, entry: PoolEntry, extra: Partial<PoolEvent>): void {
    this.#events.emit({ type, pool: this.#o.name, connectionId: entry.id, ...extra });
  }
}
