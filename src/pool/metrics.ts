/** Counters, the acquire-wait histogram, and the pool's events, for logging and metrics. */
import type { PoolLogger } from './options.js';

/** Cumulative counters since the pool was created, plus acquire-wait percentiles over recent checkouts. */
export interface PoolMetrics {
  /** Connections opened (connect() and the session SET succeeded). */
  connectionsCreated: number;
  /** Connections closed for any reason (recycled, invalidated, overflow, idle trim, shutdown). */
  connectionsClosed: number;
  /** Closed because they reached their lifetime (`recycleMs`). */
  connectionsRecycled: number;
  /** Closed because they were broken or marked for replacement; equals `status().invalid`. */
  connectionsInvalidated: number;
  /** connect() calls that failed or timed out. */
  connectFailures: number;
  /** Checkouts that ended in `PoolTimeoutError`. */
  timeouts: number;
  /** Successful checkouts. */
  checkouts: number;
  /** Pre-pings sent. */
  prePings: number;
  /** Pre-pings that found the connection dead. */
  prePingFailures: number;
  /** Median time from acquire() to getting a connection, over the last 1024 checkouts, in ms. */
  acquireWaitP50Ms: number;
  /** 99th percentile of the same. */
  acquireWaitP99Ms: number;
}

/** Counter names that {@link MetricsRecorder.count} accepts. */
export type Counter = Exclude<keyof PoolMetrics, 'acquireWaitP50Ms' | 'acquireWaitP99Ms'>;

const SAMPLES = 1024;

/** Mutable counters and a ring buffer of wait samples; percentiles are computed only when asked for. */
export class MetricsRecorder {
  readonly #counters: Record<Counter, number> = {
    connectionsCreated: 0, connectionsClosed: 0, connectionsRecycled: 0, connectionsInvalidated: 0,
    connectFailures: 0, timeouts: 0, checkouts: 0, prePings: 0, prePingFailures: 0,
  };
  readonly #waits = new Float64Array(SAMPLES);
  #recorded = 0;

  count(counter: Counter): void {
    this.#counters[counter]++;
  }

  get(counter: Counter): number {
    return this.#counters[counter];
  }

  recordWait(ms: number): void {
    this.#waits[this.#recorded++ % SAMPLES] = ms;
  }

  snapshot(): PoolMetrics {
    const n = Math.min(this.#recorded, SAMPLES);
    const sorted = this.#waits.slice(0, n).sort();
    const pick = (q: number) => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.ceil(q * n) - 1)]);
    return { ...this.#counters, acquireWaitP50Ms: pick(0.5), acquireWaitP99Ms: pick(0.99) };
  }
}

/** Event names the pool emits. */
export type PoolEventType = 'connect' | 'checkout' | 'checkin' | 'invalidate' | 'close';

/** One pool event. */
export interface PoolEvent {
  type: PoolEventType;
  /** The pool's `name`. */
  pool: string;
  /** The connection's id, unique within the process. */
  connectionId: number;
  /** invalidate/close: why (e.g. 'recycled', 'pre-ping failed', 'broken', 'overflow', 'idle timeout', 'pool ended'). */
  reason?: string;
  /** invalidate: the error that broke the connection, when there was one. */
  error?: unknown;
  /** checkout: ms from acquire() to getting this connection. */
  waitMs?: number;
  /** checkin: ms the caller held the connection. */
  heldMs?: number;
  /** close: ms since the connection was opened. */
  ageMs?: number;
}

/**
 * Listeners per event. A throwing listener is logged and never breaks the pool (unlike an EventEmitter,
 * where an 'error'-named event without listeners would throw).
 */
export class EventSink {
  readonly #listeners: Record<PoolEventType, ((e: PoolEvent) => void)[]> = {
    connect: [], checkout: [], checkin: [], invalidate: [], close: [],
  };
  readonly #logger: PoolLogger;

  constructor(logger: PoolLogger) {
    this.#logger = logger;
  }

  on(type: PoolEventType, listener: (e: PoolEvent) => void): void {
    if (!this.#listeners[type]) throw new TypeError(`unknown pool event '${String(type)}'`);
    this.#listeners[type].push(listener);
  }

  /** Cheap check so the hot path builds no event object when nobody listens. */
  has(type: PoolEventType): boolean {
    return this.#listeners[type].length > 0;
  }

  emit(event: PoolEvent): void {
    for (const listener of this.#listeners[event.type]) {
      try {
        listener(event);
      } catch (error) {
        this.#logger.error({ pool: event.pool, event: event.type, err: error }, 'pool event listener threw');
      }
    }
  }
}
