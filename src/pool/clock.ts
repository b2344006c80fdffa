/**
 * Time for the pool: a monotonic `now()` for ages and waits, and timers that never keep the process alive.
 * Everything time-dependent in the pool goes through a {@link Clock} so tests can move time by hand.
 */

/** An opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/** Monotonic time in milliseconds plus unref'd timers. */
export interface Clock {
  /** Milliseconds from an arbitrary origin; never goes backwards (wall-clock changes do not affect it). */
  now(): number;
  /** Runs `fn` after `ms`; the timer must not keep the event loop alive. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `performance.now()` and unref'd Node timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    // A pool's timers (waits, guards, housekeeping) must never be the reason a process stays up.
    timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/** Waits for `promise` (which must not reject) for at most `ms`; leaves no timer behind either way. */
export async function waitAtMost(clock: Clock, promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: TimerHandle;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, ms)))]);
  clock.clearTimeout(timer!);
}

interface ManualTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock whose time only moves when {@link ManualClock.advance} is called. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, running every timer that falls due, in order of due time. */
  advance(ms: number): void;
  /** Timers not yet run. */
  readonly pendingTimers: number;
}

/**
 * A hand-driven clock for tests: ages, bypass windows, leak thresholds and waits become deterministic.
 * Timers run synchronously inside `advance()`.
 */
export function createManualClock(start = 1_000): ManualClock {
  let current = start;
  let seq = 0;
  const timers = new Set<ManualTimer>();
  return {
    now: () => current,
    setTimeout(fn, ms) {
      const timer = { at: current + Math.max(0, ms), seq: seq++, fn };
      timers.add(timer);
      return timer;
    },
    clearTimeout(handle) {
      timers.delete(handle as ManualTimer);
    },
    advance(ms) {
      const target = current + ms;
      for (;;) {
        // Timers may schedule timers; pick the earliest due one each round.
        let next: ManualTimer | undefined;
        for (const t of timers) if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
        if (!next) break;
        timers.delete(next);
        current = Math.max(current, next.at);
        next.fn();
      }
      current = target;
    },
    get pendingTimers() {
      return timers.size;
    },
  };
}
