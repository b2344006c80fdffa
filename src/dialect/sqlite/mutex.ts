/** One caller waiting for the lock. */
interface Waiter {
  grant: () => void;
  fail: (error: Error) => void;
}

/**
 * A FIFO async lock: the SQLite dialect's whole "pool". better-sqlite3 has one synchronous connection, so a
 * transaction that awaits between statements must keep everyone else out until it ends; callers queue and are
 * served in arrival order. Ownership passes straight from the releaser to the next waiter, so no newcomer can
 * slip in between.
 */
export class FifoMutex {
  #locked = false;
  readonly #waiters: Waiter[] = [];
  static readonly #granted: Promise<void> = Promise.resolve();

  get locked(): boolean {
    return this.#locked;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /** Takes the lock if it is free (and nobody waits); true when the caller now owns it. */
  tryLock(): boolean {
    if (this.#locked) return false;
    this.#locked = true;
    return true;
  }

  /**
   * Resolves when the caller owns the lock; it must call {@link unlock} exactly once.
   * @param timeoutMs reject with `onTimeout()` if the lock is not granted in time. The timer keeps the process
   *   alive on purpose: a waiter must get its timeout error rather than vanish with the event loop.
   */
  lock(timeoutMs?: number, onTimeout?: () => Error): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return FifoMutex.#granted;
    }
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        grant: () => { if (timer) clearTimeout(timer); resolve(); },
        fail: (error) => { if (timer) clearTimeout(timer); reject(error); },
      };
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          const at = this.#waiters.indexOf(waiter);
          if (at >= 0) this.#waiters.splice(at, 1);
          reject(onTimeout ? onTimeout() : new Error(`lock not granted within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.#waiters.push(waiter);
    });
  }

  /** Hands the lock to the longest waiter, or frees it. */
  unlock(): void {
    const next = this.#waiters.shift();
    if (next) next.grant();
    else this.#locked = false;
  }

  /** Rejects every waiter (on close); the current owner keeps the lock until it unlocks. */
  rejectWaiters(error: Error): void {
    for (const waiter of this.#waiters.splice(0)) waiter.fail(error);
  }
}
