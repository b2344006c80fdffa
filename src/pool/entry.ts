/**
 * One pooled connection: its client, its state, its ages, and the query wrapper every query goes through
 * (client-side timeout guard, lost-connection detection, transaction-status tracking).
 */
import pg from 'pg';
import { DatabaseUnavailableError, QueryTimeoutError, SqlwrightError } from '../errors.js';
import { isConnectionBroken } from '../errors/sqlstate.js';
import type { Clock } from './clock.js';
import { closeClient } from './connect.js';
import { Deadline, type DeadlineList } from './deadlines.js';
import { moveTo, type EntryState } from './entry-state.js';
import type { PgClientLike, PgResultLike, PoolLogger } from './options.js';

/** Per-query options. */
export interface QueryOptions {
  /** Prepared-statement name (pg caches the plan per connection). */
  name?: string;
  /** Client-side guard for this query; default statement timeout + grace (none when both are 0). */
  timeoutMs?: number;
}

/** A connection lent by the pool. Call exactly one of `release()` or `invalidate()`, exactly once. */
export interface PooledConnection {
  /**
   * Runs a statement through the client-side guard. Server statement errors (e.g. 23505, 57014) are rethrown
   * as pg raised them.
   * @throws DatabaseUnavailableError when the connection is lost (the connection is then evicted on release).
   * @throws QueryTimeoutError when the client-side guard fires (the connection is destroyed).
   * @throws SqlwrightError `connection_released` when used after release.
   */
  query(text: string, values?: readonly unknown[], options?: QueryOptions): Promise<PgResultLike>;
  /**
   * Returns the connection to the pool (after rolling back an unfinished transaction).
   * @throws SqlwrightError `double_release` when the checkout was already ended.
   */
  release(): void;
  /**
   * Ends the checkout by destroying the connection instead of returning it.
   * @throws SqlwrightError `double_release` when the checkout was already ended.
   */
  invalidate(reason?: string): void;
  /** True while a transaction is open or failed on this connection (the server's ReadyForQuery status). */
  inTransaction(): boolean;
  /** The underlying client, for what the wrapper does not cover (COPY, LISTEN). Do not end() it. */
  readonly raw: PgClientLike;
}

/** pg.Client's `query(text, values)` form. */
interface PgTextQuery {
  query(text: string, values?: unknown[]): Promise<PgResultLike>;
}

/**
 * True for a pg.Client (of the pg this package depends on) whose `query` is pg's own, possibly patched on
 * the prototype by instrumentation, which forwards every call form. The pool only recognises the class;
 * it never builds a client.
 */
export function isPlainPgClient(client: PgClientLike): boolean {
  return client instanceof pg.Client && client.query === pg.Client.prototype.query;
}

const TX_START = /^\s*(begin|start\s+transaction)\b/i;
const TX_END = /^\s*(commit|end|abort|rollback)\b(?!\s+to\b)(?!\s+prepared\b)/i;

let nextId = 1;

/** One connection's bookkeeping. Created by the pool after a successful connect; state changes via `moveTo`. */
export class PoolEntry {
  readonly id = nextId++;
  readonly client: PgClientLike;
  readonly createdAt: number;
  /** createdAt + recycle lifetime minus jitter; Infinity when recycling is off. */
  readonly expiresAt: number;
  /** When the connection was last returned, or opened: the pre-ping bypass window counts from here. */
  lastUsedAt: number;
  state: EntryState = 'opening';
  /** When the current checkout began (monotonic ms). */
  checkedOutAt = 0;
  /** Leak detection for the current checkout, when enabled. */
  leak: LeakWatch | undefined;
  /** Marked for replacement (a younger sibling's pre-ping found it disconnected, invalidateIdle). */
  stale = false;
  /** Why the connection must not be reused: set by a client 'error'/'end', a guard timeout or invalidate(). */
  broken: unknown;
  /** Queries started and not settled; a connection returned with one still running is destroyed. */
  inFlight = 0;
  readonly #clock: Clock;
  /** The pool's shared deadlines: query guards and leak watches, on one lazy timer. */
  readonly #deadlines: DeadlineList;
  readonly #guardMs: number;
  #inTransaction = false;
  readonly #tracksTransactions: boolean;
  /** A pg.Client with pg's own query(): statements go as `(text, values)` (see {@link #send}). */
  readonly #textForm: boolean;
  #closing: Promise<void> | undefined;

  constructor(
    client: PgClientLike,
    clock: Clock,
    deadlines: DeadlineList,
    lifetimeMs: number,
    guardMs: number,
    onLost: (entry: PoolEntry, error: unknown) => void,
  ) {
    this.client = client;
    this.#clock = clock;
    this.#deadlines = deadlines;
    this.#guardMs = guardMs;
    this.#tracksTransactions = typeof client.getTransactionStatus !== 'function';
    this.#textForm = isPlainPgClient(client);
    this.createdAt = clock.now();
    this.lastUsedAt = this.createdAt;
    this.expiresAt = lifetimeMs > 0 ? this.createdAt + lifetimeMs : Infinity;
    // One listener for the connection's whole life, idle or lent: pg emits 'error' on a dead socket or a
    // FATAL from the server (57P01 on shutdown), and an unhandled 'error' would crash the process.
    client.on('error', (error) => {
      this.markBroken(error);
      onLost(this, error);
    });
    client.on('end', () => {
      const error = new Error('connection ended');
      this.markBroken(error);
      onLost(this, error);
    });
  }

  moveTo(to: EntryState): void {
    this.state = moveTo(this.state, to);
  }

  markBroken(reason: unknown): void {
    this.broken ??= reason;
  }

  /**
   * Starts leak detection for this checkout (which began at `checkedOutAt`): a warning with the acquiring
   * stack after `thresholdMs`.
   */
  watchLeak(thresholdMs: number, logger: PoolLogger, pool: string): void {
    // Created here, not in LeakWatch, so the acquiring frames stay within the stack trace limit.
    const site = new Error('connection acquired here');
    const leak = new LeakWatch(this, this.#clock, site, thresholdMs, logger, pool);
    this.leak = leak;
    this.#deadlines.add(leak, this.checkedOutAt + thresholdMs);
  }

  /**
   * Ends leak detection; logs "returned" when a warning was given for this checkout (and a logger is passed),
   * at warn level like the warning, so whoever sees the one sees the other.
   */
  endLeakWatch(heldMs: number | undefined, logger?: PoolLogger, pool?: string): void {
    const leak = this.leak;
    if (!leak) return;
    this.leak = undefined;
    this.#deadlines.remove(leak);
    if (leak.reported && logger) logger.warn({ pool, connectionId: this.id, heldMs }, 'connection previously reported as a possible leak was returned');
  }

  /** True when the connection is past its lifetime. */
  isExpired(now: number): boolean {
    return now >= this.expiresAt;
  }

  /** True when a transaction is open or failed: pg's ReadyForQuery status, or our own tracking if unavailable. */
  needsRollback(): boolean {
    const status = this.client.getTransactionStatus?.();
    if (status === 'T' || status === 'E') return true;
    if (status === 'I') return false;
    return this.#inTransaction;
  }

  /**
   * Runs a query under the client-side guard.
   * @throws DatabaseUnavailableError when the connection is or becomes unusable.
   * @throws QueryTimeoutError when the guard fires; the connection is destroyed.
   */
  query(text: string, values?: readonly unknown[], options?: QueryOptions): Promise<PgResultLike> {
    if (this.broken !== undefined) return Promise.reject(this.#lost(this.broken, text));
    const timeoutMs = options?.timeoutMs ?? this.#guardMs;
    const name = options?.name;
    // Our own tracking only for clients that do not report pg's ReadyForQuery status.
    if (this.#tracksTransactions) {
      if (TX_START.test(text)) this.#inTransaction = true;
      else if (TX_END.test(text)) this.#inTransaction = false;
    }
    this.inFlight++;
    return new Promise<PgResultLike>((resolve, reject) => {
      // The guard is a deadline on the pool's shared timer, not a timer of its own (see deadlines.ts).
      const guard = timeoutMs > 0 ? new QueryGuard(this, text, timeoutMs, reject) : undefined;
      if (guard !== undefined) this.#deadlines.add(guard, this.#clock.now() + timeoutMs);
      let sent: Promise<PgResultLike>;
      try {
        sent = this.#send(text, values, name);
      } catch (error) {
        // The client refused the call itself (a value it cannot serialize): nothing went out, nothing to guard.
        if (guard !== undefined) this.#deadlines.remove(guard);
        this.inFlight--;
        return reject(error);
      }
      sent.then(
        (result) => {
          // Not in the list any more: the guard fired first and has already rejected.
          if (guard !== undefined && !this.#deadlines.remove(guard)) return;
          this.inFlight--;
          resolve(result);
        },
        (error: unknown) => {
          if (guard !== undefined && !this.#deadlines.remove(guard)) return;
          this.inFlight--;
          // pg fails queries on a dead socket with an uncoded Error; the client's 'error'/'end' event has
          // already marked us broken by the time the rejection is delivered (pg defers it a tick).
          if (this.broken !== undefined || isConnectionBroken(error)) {
            this.markBroken(error);
            reject(this.#lost(error, text));
          } else reject(error);
        },
      );
    });
  }

  /**
   * Hands the statement to the client. pg's own `Client#query` gets `(text, values)`: given a config object,
   * pg copies it property by property (`cloneQueryConfig`, via property descriptors), which costs about as
   * much as the whole pool's checkout + query + release; the two forms build the same pg `Query`. Any other
   * client (a wrapper, a subclass with its own `query`) gets the config object of {@link PgClientLike}.
   */
  #send(text: string, values: readonly unknown[] | undefined, name: string | undefined): Promise<PgResultLike> {
    if (this.#textForm && name === undefined && (values === undefined || Array.isArray(values))) {
      return (this.client as unknown as PgTextQuery).query(text, values as unknown[] | undefined);
    }
    const config: { text: string; values?: any[]; name?: string } = { text };
    if (values !== undefined) config.values = values as any[];
    if (name !== undefined) config.name = name;
    return this.client.query(config);
  }

  #lost(cause: unknown, sql: string): SqlwrightError {
    if (cause instanceof QueryTimeoutError || cause instanceof DatabaseUnavailableError) return cause;
    const message = cause instanceof Error ? cause.message : String(cause);
    return new DatabaseUnavailableError(`database connection lost: ${message}`, { cause, sql });
  }

  /** Closes the client once (see {@link closeClient}). */
  close(): Promise<void> {
    this.#closing ??= closeClient(this.client, this.#clock);
    return this.#closing;
  }
}

/** The client-side guard of one running query. */
class QueryGuard extends Deadline {
  readonly #entry: PoolEntry;
  readonly #text: string;
  readonly #timeoutMs: number;
  readonly #reject: (error: unknown) => void;

  constructor(entry: PoolEntry, text: string, timeoutMs: number, reject: (error: unknown) => void) {
    super();
    this.#entry = entry;
    this.#text = text;
    this.#timeoutMs = timeoutMs;
    this.#reject = reject;
  }

  expire(): void {
    const entry = this.#entry;
    entry.inFlight--;
    const error = new QueryTimeoutError(
      `query exceeded the client-side timeout of ${this.#timeoutMs}ms; the connection was destroyed`,
      { sql: this.#text, timeoutMs: this.#timeoutMs },
    );
    // The server may still be running the statement and will answer later; the only safe state for this
    // socket is closed.
    entry.markBroken(error);
    void entry.close();
    this.#reject(error);
  }
}

/** Leak detection for one checkout. */
class LeakWatch extends Deadline {
  /** Where the connection was acquired; V8 formats the stack only when it is read (on a warning). */
  readonly #site: Error;
  reported = false;
  readonly #entry: PoolEntry;
  readonly #clock: Clock;
  readonly #thresholdMs: number;
  readonly #logger: PoolLogger;
  readonly #pool: string;

  constructor(entry: PoolEntry, clock: Clock, site: Error, thresholdMs: number, logger: PoolLogger, pool: string) {
    super();
    this.#site = site;
    this.#entry = entry;
    this.#clock = clock;
    this.#thresholdMs = thresholdMs;
    this.#logger = logger;
    this.#pool = pool;
  }

  expire(): void {
    this.reported = true;
    const entry = this.#entry;
    this.#logger.warn(
      { pool: this.#pool, connectionId: entry.id, heldMs: this.#clock.now() - entry.checkedOutAt, stack: this.#site.stack },
      `connection held longer than leakDetectionMs (${this.#thresholdMs}ms): possible leak`,
    );
  }
}

/** The caller's view of one checkout; a new one per checkout, so a stale handle cannot touch a reused connection. */
export class ConnectionHandle implements PooledConnection {
  #entry: PoolEntry | undefined;
  readonly #giveBack: (entry: PoolEntry, invalidReason: string | undefined) => void;
  readonly raw: PgClientLike;

  constructor(entry: PoolEntry, giveBack: (entry: PoolEntry, invalidReason: string | undefined) => void) {
    this.#entry = entry;
    this.#giveBack = giveBack;
    this.raw = entry.client;
  }

  query(text: string, values?: readonly unknown[], options?: QueryOptions): Promise<PgResultLike> {
    if (!this.#entry) return Promise.reject(new SqlwrightError('connection_released', 'query on a connection that was already released', { sql: text }));
    return this.#entry.query(text, values, options);
  }

  release(): void {
    this.#giveBack(this.#take(), undefined);
  }

  invalidate(reason = 'invalidated by caller'): void {
    this.#giveBack(this.#take(), reason);
  }

  inTransaction(): boolean {
    return this.#entry?.needsRollback() ?? false;
  }

  #take(): PoolEntry {
    const entry = this.#entry;
    if (!entry) throw new SqlwrightError('double_release', 'connection released twice: release() or invalidate() was already called for this checkout');
    this.#entry = undefined;
    return entry;
  }
}
