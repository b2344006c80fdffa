/**
 * Pre-ping: prove a connection is alive before lending it, unless it was returned or opened so recently
 * that a round trip would only cost latency (HikariCP's alive-bypass window).
 */
import { DatabaseUnavailableError, QueryTimeoutError } from '../errors.js';
import { isConnectionBroken } from '../errors/sqlstate.js';
import { Deadline, type DeadlineList } from './deadlines.js';
import type { PoolEntry } from './entry.js';

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
export function isDisconnect(entry: PoolEntry, error: unknown): boolean {
  return entry.broken !== undefined || error instanceof DatabaseUnavailableError || error instanceof QueryTimeoutError || isConnectionBroken(error);
}

/** Where a ping's outcome goes once its caller has stopped waiting: whether it answered, else its error. */
export type OutlivedPing = (entry: PoolEntry, answered: boolean, error: unknown) => void;

/**
 * The pre-pings in flight, each with the checkout waiting on it. A ping is bounded by `pingTimeoutMs` alone
 * (its query guard destroys a connection that does not answer in time). Its caller stops waiting earlier
 * when its own deadline passes or the pool ends; the ping then goes on and its outcome goes to `outlived`,
 * so a healthy connection is never destroyed because its caller ran out of time.
 */
export class PrePings {
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
