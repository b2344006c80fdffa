/**
 * Callers waiting for a connection: first come, first served, each with its own deadline. A waiter is
 * never tied to the connection being opened for it; whichever connection frees up first serves the
 * oldest waiter.
 */
import type { Clock, TimerHandle } from './clock.js';
import type { PoolEntry } from './entry.js';

interface Waiter {
  resolve(entry: PoolEntry): void;
  reject(error: unknown): void;
  deadline: number;
  onTimeout: () => unknown;
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
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
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
      const waiter: Waiter = { resolve, reject, deadline, onTimeout, prev: undefined, next: undefined };
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
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    let next = Infinity;
    for (let w = this.#head; w; ) {
      const following = w.next;
      if (w.deadline <= now) {
        // Build the error while the waiter still counts, so the status snapshot includes it.
        const error = w.onTimeout();
        this.#unlink(w);
        w.reject(error);
      } else next = Math.min(next, w.deadline);
      w = following;
    }
    if (next < Infinity) this.#schedule(next);
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

  /** Rejects the oldest waiter (a connect failed: the attempt it was waiting on will not come). */
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
  }
}
