/**
 * Background upkeep on an unref'd timer: close idle connections past their lifetime, and trim idle overflow
 * (connections beyond `poolSize`) unused for `idleTimeoutMs`. Checkout and return also retire expired
 * connections; the housekeeper only covers connections nobody touches. It never closes a lent connection.
 */
import type { Clock, TimerHandle } from './clock.js';
import type { PoolEntry } from './entry.js';

/** Up to this fraction is trimmed at random off each lifetime so connections opened together do not expire together. */
const LIFETIME_JITTER = 0.025;
const MAX_INTERVAL_MS = 30_000;
const MIN_INTERVAL_MS = 250;

/** A connection's lifetime: `recycleMs` minus a random jitter of up to 2.5 %; 0 (never) stays 0. */
export function lifetimeWithJitter(recycleMs: number, random: () => number = Math.random): number {
  if (recycleMs <= 0) return 0;
  return recycleMs - Math.floor(recycleMs * LIFETIME_JITTER * random());
}

/** How often the housekeeper runs: half the shortest of idle timeout and recycle age, within 250 ms..30 s. */
export function housekeepingInterval(idleTimeoutMs: number, recycleMs: number): number {
  const candidates = [idleTimeoutMs, recycleMs].filter((ms) => ms > 0).map((ms) => ms / 2);
  return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, ...(candidates.length ? [Math.min(...candidates)] : [MAX_INTERVAL_MS])));
}

/** What the housekeeper needs from the pool. */
export interface HousekeepingTarget {
  /** Idle connections, least recently used first. */
  idle(): readonly PoolEntry[];
  /** Open connections plus those being opened. */
  total(): number;
  poolSize: number;
  retire(entry: PoolEntry, reason: 'recycled' | 'idle timeout'): void;
}

export class Housekeeper {
  readonly #clock: Clock;
  readonly #target: HousekeepingTarget;
  readonly #idleTimeoutMs: number;
  readonly #intervalMs: number;
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(clock: Clock, target: HousekeepingTarget, idleTimeoutMs: number, recycleMs: number) {
    this.#clock = clock;
    this.#target = target;
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#intervalMs = housekeepingInterval(idleTimeoutMs, recycleMs);
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  start(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.runOnce();
      this.start();
    }, this.#intervalMs);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One pass; exposed so a pass can be run at a precise moment. */
  runOnce(): void {
    const now = this.#clock.now();
    for (const entry of [...this.#target.idle()]) {
      if (entry.isExpired(now)) this.#target.retire(entry, 'recycled');
    }
    if (this.#idleTimeoutMs <= 0) return;
    // Least recently used first, and only while there is overflow to trim.
    for (const entry of [...this.#target.idle()]) {
      if (this.#target.total() <= this.#target.poolSize) break;
      if (now - entry.lastUsedAt >= this.#idleTimeoutMs) this.#target.retire(entry, 'idle timeout');
    }
  }
}
