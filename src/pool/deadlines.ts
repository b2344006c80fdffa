/**
 * Deadlines that share one lazy timer: the client-side query guards and leak detection. Creating and
 * clearing a Node timer for every query (or every checkout) costs more than the rest of the pool's hot path,
 * and almost every guard is cancelled long before it would fire; so there is a single timer, set for the
 * earliest deadline, that is *not* cleared when an item is removed. When it fires, every item whose
 * deadline has passed expires, and it is set again for the next one. Deadlines stay exact: an item never
 * expires before its deadline, and the timer is moved earlier whenever an earlier deadline arrives.
 */
import type { Clock, TimerHandle } from './clock.js';

/** One watched deadline. Its list links belong to the {@link DeadlineList} it is in. */
export abstract class Deadline {
  /** Monotonic ms at which {@link expire} runs, unless removed before. */
  deadline = 0;
  /** @internal */ prev: Deadline | undefined = undefined;
  /** @internal */ next: Deadline | undefined = undefined;
  /** @internal */ linked = false;
  /** Called once, by the timer, after the item has been removed from its list. */
  abstract expire(): void;
}

/** A set of deadlines in arrival order (an intrusive doubly-linked list: O(1) add and remove, no allocation). */
export class DeadlineList {
  readonly #clock: Clock;
  #head: Deadline | undefined;
  #tail: Deadline | undefined;
  #size = 0;
  #timer: TimerHandle | undefined;
  #timerAt = Infinity;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Items not yet removed or expired. */
  get size(): number {
    return this.#size;
  }

  /** True while a timer is pending (possibly a stale one that will find nothing to do). */
  get armed(): boolean {
    return this.#timer !== undefined;
  }

  /** Watches `item` until `deadline` (monotonic ms). The item must not be in a list already. */
  add(item: Deadline, deadline: number): void {
    item.deadline = deadline;
    item.next = undefined;
    item.prev = this.#tail;
    if (this.#tail) this.#tail.next = item;
    else this.#head = item;
    this.#tail = item;
    item.linked = true;
    this.#size++;
    if (deadline < this.#timerAt) this.#schedule(deadline);
  }

  /**
   * Stops watching `item`. Returns false when it was not in the list (already expired or removed): the
   * caller lost the race against the timer. The timer is left alone: it is either needed for another item
   * or finds nothing when it fires.
   */
  remove(item: Deadline): boolean {
    if (!item.linked) return false;
    item.linked = false;
    if (item.prev) item.prev.next = item.next;
    else this.#head = item.next;
    if (item.next) item.next.prev = item.prev;
    else this.#tail = item.prev;
    item.prev = item.next = undefined;
    this.#size--;
    return true;
  }

  /** Clears the pending timer when no item is left (so a closed pool leaves no timer behind). */
  disarmIfEmpty(): void {
    if (this.#size === 0 && this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerAt = Infinity;
    }
  }

  #schedule(at: number): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(this.#fire, Math.max(0, at - this.#clock.now()));
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    // Unlink every due item first, then run them: an expiry may add or remove items (close a connection).
    let due: Deadline[] | undefined;
    for (let item = this.#head; item; ) {
      const following = item.next;
      if (item.deadline <= now) {
        this.remove(item);
        (due ??= []).push(item);
      }
      item = following;
    }
    // In order of deadline, then of arrival (the list is in arrival order and the sort is stable).
    if (due) for (const item of due.sort((a, b) => a.deadline - b.deadline)) item.expire();
    let next = Infinity;
    for (let item = this.#head; item; item = item.next) if (item.deadline < next) next = item.deadline;
    if (next < this.#timerAt) this.#schedule(next);
  };
}
