/**
 * Callers waiting for a connection: first come, first served, each with its own deadline. A waiter is
 * never tied to the connection being opened for it; whichever connection frees up first serves the
 * oldest waiter. So the connects in progress cover the oldest waiters, one each. A covered waiter is not
 * timed out at its deadline (the deadline bounds the wait at capacity, or while connects fail); the connect
 * answers it within the connect timeout, or, if it fails, leaves it uncovered (opener.ts).
 */
import type { Clock, TimerHandle } from './clock.js';
import type { PoolEntry } from './entry.js';

interface Waiter {
  resolve(entry: PoolEntry): void;
  reject(error: unknown): void;
  deadline: number;
  onTimeout: () => unknown;
  /** Past its deadline but covered by a connect in progress when last checked. */
  overdue: boolean;
  prev: Waiter | undefined;
  next: Waiter | undefined;
}

/**
 * A FIFO of waiters as a doubly-linked list: O(1) enqueue and serve. Deadlines share one lazy timer set
 * for the earliest deadline (not a timer per waiter: under saturation most checkouts wait, and creating
 * and clearing a timer each time is measurable); when it fires, expired waiters are rejected and it is
 * set again for the next deadline.
 */
export class WaiterQueue {
  #timer: TimerHandle | undefined;
  #timerAt = Infinity;
  #head: Waiter | undefined;
  #tail: Waiter | undefined;
  #size = 0;
  /** Waiters kept past their deadline because a connect covered them; rechecked when the cover may shrink. */
  #overdue = 0;
  readonly #clock: Clock;
  readonly #covered: () => number;

  /** `covered()`: how many of the oldest waiters the connects in progress will answer. */
  constructor(clock: Clock, covered: () => number) {
    this.#clock = clock;
    this.#covered = covered;
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Waits for a connection until `deadline` (monotonic ms; one already past times out at once); then
   * `onTimeout()` supplies the rejection. `first` puts the waiter at the head: a caller whose connection
   * failed its pre-ping keeps its turn.
   */
  wait(deadline: number, onTimeout: () => unknown, first = false): Promise<PoolEntry> {
    return new Promise<PoolEntry>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, deadline, onTimeout, overdue: false, prev: undefined, next: undefined };
      if (first) this.#pushFront(waiter);
      else this.#pushBack(waiter);
      if (deadline < this.#timerAt) this.#schedule(deadline);
    });
  }

  #schedule(at: number): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(() => this.#expire(), Math.max(0, at - this.#clock.now()));
  }

  #expire(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    const covered = this.#covered();
    let next = Infinity;
    let position = 0;
    for (let w = this.#head; w; ) {
      const following = w.next;
      if (w.deadline > now) {
        next = Math.min(next, w.deadline);
        position++;
      } else if (position < covered) {
        if (!w.overdue) this.#overdue++;
        w.overdue = true;
        position++;
      } else {
        // Build the error while the waiter still counts, so the status snapshot includes it.
        const error = w.onTimeout();
        this.#unlink(w);
        w.reject(error);
      }
      w = following;
    }
    if (next < Infinity) this.#schedule(next);
  }

  /**
   * Times out the overdue waiters no connect covers any more. Call after the cover may have shrunk (a
   * retrying caller went ahead of them); costs nothing while no waiter is overdue.
   */
  recheck(): void {
    if (this.#overdue > 0) this.#expire();
  }

  /** Drops the shared timer once nobody waits, so an idle pool has no timer pending. */
  #settled(): void {
    if (this.#size === 0 && this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerAt = Infinity;
    }
  }

  /** Hands `entry` to the oldest waiter; false when nobody is waiting. */
  serve(entry: PoolEntry): boolean {
    const waiter = this.#head;
    if (!waiter) return false;
    this.#unlink(waiter);
    this.#settled();
    waiter.resolve(entry);
    return true;
  }

  /** Rejects the oldest waiter (a connect failed with the database down: it was the one that attempt covered). */
  failOldest(error: unknown): boolean {
    const waiter = this.#head;
    if (!waiter) return false;
    this.#unlink(waiter);
    this.#settled();
    waiter.reject(error);
    return true;
  }

  /** Rejects every waiter (pool shutting down). */
  failAll(error: unknown): void {
    while (this.failOldest(error)) {
      // each call removes one
    }
  }

  #pushBack(waiter: Waiter): void {
    waiter.prev = this.#tail;
    if (this.#tail) this.#tail.next = waiter;
    else this.#head = waiter;
    this.#tail = waiter;
    this.#size++;
  }

  #pushFront(waiter: Waiter): void {
    waiter.next = this.#head;
    if (this.#head) this.#head.prev = waiter;
    else this.#tail = waiter;
    this.#head = waiter;
    this.#size++;
  }

  #unlink(waiter: Waiter): void {
    if (waiter.prev) waiter.prev.next = waiter.next;
    else if (this.#head === waiter) this.#head = waiter.next;
    else return; // already removed
    if (waiter.next) waiter.next.prev = waiter.prev;
    else this.#tail = waiter.prev;
    waiter.prev = waiter.next = undefined;
    this.#size--;
    if (waiter.overdue) this.#overdue--;
  }
}
