/**
 * Pre-ping: prove a connection is alive before lending it, unless it was returned or opened so recently
 * that a round trip would only cost latency (HikariCP's alive-bypass window). What a failed ping means for
 * the connection and its siblings, and what becomes of a ping that outlives its caller, is decided here.
 */
import { DatabaseUnavailableError, PoolTimeoutError, QueryTimeoutError } from '../errors.js';
import { isConnectionBroken } from '../errors/sqlstate.js';
import type { Clock } from './clock.js';
import { Deadline, type DeadlineList } from './deadlines.js';
import type { PoolEntry } from './entry.js';
import type { MetricsRecorder } from './metrics.js';
import type { ResolvedPoolOptions } from './options.js';

/**
 * True when the connection must be pinged before it is lent: it was last returned, or opened if it was
 * never lent, `bypassMs` or longer ago. A connection that sat idle unlent is as suspect as any other.
 */
export function needsPing(entry: PoolEntry, now: number, prePing: boolean, bypassMs: number): boolean {
  return prePing && now - entry.lastUsedAt >= bypassMs;
}

/**
 * True when a ping failure means "this connection is gone" (discard it and try another), as opposed to an
 * error that would also hit a fresh connection and must reach the caller. A ping that ran out of
 * `pingTimeoutMs` counts as gone: that is what a blackholed socket looks like.
 */
function isDisconnect(entry: PoolEntry, error: unknown): boolean {
  return entry.broken !== undefined || error instanceof DatabaseUnavailableError || error instanceof QueryTimeoutError || isConnectionBroken(error);
}

/** What the pre-ping step needs from the pool. */
export interface PrePingHost {
  /** Closes a connection; 'invalid' counts it as invalidated. */
  retire(entry: PoolEntry, reason: string, kind: 'invalid' | 'closed', error?: unknown): void;
  /** Marks the connections opened before connection `beforeId` stale (idle ones are closed now). */
  markStale(beforeId: number): void;
  /** Puts a healthy connection to use: the next waiter, else the idle stack. */
  offer(entry: PoolEntry): void;
}

/**
 * The pre-ping step of a checkout. A disconnect-class failure discards the connection and marks those opened
 * before it stale (whatever killed it, a restart or a failover, killed them too; younger ones may postdate it
 * and keep their own ping); the caller then tries another. A ping that outlives its caller still decides its
 * connection's fate: one that answers goes back to the pool.
 */
export class PrePings {
  readonly #o: ResolvedPoolOptions;
  readonly #clock: Clock;
  readonly #metrics: MetricsRecorder;
  readonly #host: PrePingHost;
  readonly #waits: PingWaits;
  /** Set by {@link stop}: what every checkout still pinging gets. */
  #stopped: { error: unknown } | undefined;

  /** `deadlines`: the pool's shared timer, for the ping guards and the callers' deadlines. */
  constructor(options: ResolvedPoolOptions, clock: Clock, deadlines: DeadlineList, metrics: MetricsRecorder, host: PrePingHost) {
    this.#o = options;
    this.#clock = clock;
    this.#metrics = metrics;
    this.#host = host;
    this.#waits = new PingWaits(deadlines, options.pingTimeoutMs, (entry, answered, error) => this.#outlived(entry, answered, error));
  }

  /** True when `entry` must be pinged before it is lent at `now`. */
  needed(entry: PoolEntry, now: number): boolean {
    return needsPing(entry, now, this.#o.prePing, this.#o.prePingBypassMs);
  }

  /**
   * Pings `entry`, reserved for a checkout whose time runs out at `deadline` (one already past at `now`:
   * the caller waited on a connect, and waits as long as the ping may take). Resolves `undefined` when it
   * answered (lend it), or with the ping's failure when it was found disconnected and discarded (try another).
   * @throws PoolTimeoutError from `onDeadline()` when the deadline passed with the ping still running.
   * @throws the error given to {@link stop} when the pool ended meanwhile (the connection is closed).
   * @throws DatabaseUnavailableError when it was found disconnected with the caller's time up.
   * @throws the ping's error when it is not a disconnect (the connection is discarded).
   */
  async check(entry: PoolEntry, now: number, deadline: number, onDeadline: () => PoolTimeoutError): Promise<unknown> {
    this.#metrics.count('prePings');
    try {
      await this.#waits.ping(entry, deadline > now ? deadline : Infinity, onDeadline);
    } catch (error) {
      // Out of time with the ping still running: the connection is not ours to judge (#outlived).
      if (error instanceof PoolTimeoutError) throw error;
      this.#throwIfStopped(entry);
      if (!this.#failed(entry, error)) throw error;
      if (this.#clock.now() >= deadline) throw this.#exhausted(error);
      return error;
    }
    this.#throwIfStopped(entry);
    return undefined;
  }

  /** The pool is ending: every checkout still pinging is answered with `error` now; the pings go on. */
  stop(error: unknown): void {
    this.#stopped = { error };
    this.#waits.stopAll(error);
  }

  #throwIfStopped(entry: PoolEntry): void {
    if (this.#stopped === undefined) return;
    this.#host.retire(entry, 'pool ended', 'closed');
    throw this.#stopped.error;
  }

  /** Discards a connection whose ping failed; true when it was disconnected (its elders are marked stale). */
  #failed(entry: PoolEntry, error: unknown): boolean {
    this.#host.retire(entry, 'pre-ping failed', 'invalid', error);
    if (!isDisconnect(entry, error)) return false;
    this.#metrics.count('prePingFailures');
    this.#host.markStale(entry.id);
    return true;
  }

  /** A ping that outlived its caller: a connection that answered goes back to the pool. */
  #outlived(entry: PoolEntry, answered: boolean, error: unknown): void {
    if (entry.state !== 'reserved') return; // end() closed it meanwhile
    if (!answered) this.#failed(entry, error);
    else if (entry.stale) this.#host.retire(entry, 'stale', 'invalid');
    else this.#host.offer(entry);
  }

  /** Pings kept finding dead connections until the caller's time ran out: the pool limit played no part. */
  #exhausted(cause: unknown): DatabaseUnavailableError {
    const message = cause instanceof Error ? cause.message : String(cause);
    return new DatabaseUnavailableError(`no live connection within ${this.#o.poolTimeoutMs}ms (pool '${this.#o.name}'): pre-ping failed: ${message}`, { cause });
  }
}

/** Where a ping's outcome goes once its caller has stopped waiting: whether it answered, else its error. */
type OutlivedPing = (entry: PoolEntry, answered: boolean, error: unknown) => void;

/**
 * The pre-pings in flight, each with the checkout waiting on it. A ping is bounded by `pingTimeoutMs` alone
 * (its query guard destroys a connection that does not answer in time). Its caller stops waiting earlier
 * when its own deadline passes or the pool ends; the ping then goes on and its outcome goes to `outlived`,
 * so a healthy connection is never destroyed because its caller ran out of time.
 */
class PingWaits {
  readonly #waits = new Set<PingWait>();
  readonly #deadlines: DeadlineList;
  readonly #pingTimeoutMs: number;
  readonly #outlived: OutlivedPing;

  /** `deadlines`: the pool's shared timer, which also ends the callers' waits. */
  constructor(deadlines: DeadlineList, pingTimeoutMs: number, outlived: OutlivedPing) {
    this.#deadlines = deadlines;
    this.#pingTimeoutMs = pingTimeoutMs;
    this.#outlived = outlived;
  }

  /**
   * Pings `entry` (a `SELECT 1`). Resolves when it answered; rejects with its error, with `onDeadline()` at
   * `deadline` (Infinity: the caller waits as long as the ping may take), or with the error given to
   * {@link stopAll}.
   */
  ping(entry: PoolEntry, deadline: number, onDeadline: () => unknown): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const wait = new PingWait(resolve, reject, onDeadline);
      this.#waits.add(wait);
      if (deadline < Infinity) this.#deadlines.add(wait, deadline);
      entry.query('SELECT 1', undefined, { timeoutMs: this.#pingTimeoutMs }).then(
        () => this.#settle(wait, entry, true, undefined),
        (error: unknown) => this.#settle(wait, entry, false, error),
      );
    });
  }

  /** Stops every caller's wait with `error` (the pool is ending); the pings themselves go on. */
  stopAll(error: unknown): void {
    for (const wait of this.#waits) wait.stop(error);
  }

  #settle(wait: PingWait, entry: PoolEntry, answered: boolean, error: unknown): void {
    this.#deadlines.remove(wait);
    this.#waits.delete(wait);
    if (wait.stopped) return this.#outlived(entry, answered, error);
    wait.stopped = true;
    if (answered) wait.resolve();
    else wait.reject(error);
  }
}

/** A caller waiting on its pre-ping, until its deadline. */
class PingWait extends Deadline {
  /** The caller has had its answer. */
  stopped = false;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly #onDeadline: () => unknown;

  constructor(resolve: () => void, reject: (error: unknown) => void, onDeadline: () => unknown) {
    super();
    this.resolve = resolve;
    this.reject = reject;
    this.#onDeadline = onDeadline;
  }

  expire(): void {
    if (!this.stopped) this.stop(this.#onDeadline());
  }

  /** Answers the caller with `error` without waiting for the ping. */
  stop(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.reject(error);
  }
}
