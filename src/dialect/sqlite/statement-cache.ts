import type BetterSqlite3 from 'better-sqlite3';
import { translatePlaceholders } from './placeholders.js';

/** A prepared statement and how to bind the caller's `$n` parameters to it. */
export interface CachedStatement {
  /** When it was last used, on the cache's own counter (for LRU eviction). */
  lastUsed: number;
  readonly statement: BetterSqlite3.Statement;
  /** Returns rows (SELECT, PRAGMA with a result, anything with RETURNING): run with `all`, else with `run`. */
  readonly reader: boolean;
  /** Writes nothing (sqlite3_stmt_readonly): safe to stop after the first row. */
  readonly readOnly: boolean;
  /**
   * The same SQL prepared in better-sqlite3's raw mode (rows as arrays of values), for readers asked for arrays;
   * prepared on first such use (see {@link StatementCache.arrays}). A second statement, because switching one
   * statement's mode costs more per call than the row objects it saves.
   */
  arrays: BetterSqlite3.Statement | undefined;
  /** See {@link TranslatedSql.order}. */
  readonly order: number[] | null;
  readonly paramCount: number;
}

export interface StatementCacheStats {
  /** Statements prepared since the cache was created (misses). */
  prepared: number;
  /** Lookups answered from the cache. */
  hits: number;
  /** Statements held now. */
  size: number;
  capacity: number;
}

/**
 * A bounded LRU map from statement text (PostgreSQL form) to its prepared SQLite statement, so a statement run
 * many times is translated and prepared once. A hit only stamps the entry with a counter (cheap: it is on every
 * query's path); a miss on a full cache scans for the least recently used entry, which is rare and bounded. Keyed by text, not by `QueryOptions.name`: the text is what
 * identifies the statement, and a name reused for two texts must not run the wrong one.
 */
export class StatementCache {
  readonly #db: BetterSqlite3.Database;
  readonly #capacity: number;
  readonly #entries = new Map<string, CachedStatement>();
  #prepared = 0;
  #hits = 0;
  #tick = 0;

  constructor(db: BetterSqlite3.Database, capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`statement cache capacity must be a positive integer, got ${capacity}`);
    this.#db = db;
    this.#capacity = capacity;
  }

  /** @throws the driver's error when SQLite cannot prepare the text (the caller translates it). */
  get(text: string): CachedStatement {
    const entries = this.#entries;
    const hit = entries.get(text);
    if (hit !== undefined) {
      this.#hits++;
      hit.lastUsed = ++this.#tick;
      return hit;
    }
    const { sql, order, paramCount } = translatePlaceholders(text);
    const statement = this.#db.prepare(sql);
    this.#prepared++;
    const entry: CachedStatement = { statement, reader: statement.reader, readOnly: statement.readonly, arrays: undefined, order, paramCount, lastUsed: ++this.#tick };
    if (entries.size >= this.#capacity) this.#evictOldest();
    entries.set(text, entry);
    return entry;
  }

  /**
   * The entry's statement in raw mode, prepared on first use (a reader's only; not counted in `prepared`).
   * @throws the driver's error when SQLite cannot prepare it (the caller translates it).
   */
  arrays(entry: CachedStatement): BetterSqlite3.Statement {
    return (entry.arrays ??= this.#db.prepare(entry.statement.source).raw(true));
  }

  #evictOldest(): void {
    let oldestKey: string | undefined;
    let oldest = Infinity;
    for (const [key, entry] of this.#entries) {
      if (entry.lastUsed < oldest) { oldest = entry.lastUsed; oldestKey = key; }
    }
    if (oldestKey !== undefined) this.#entries.delete(oldestKey);
  }

  /** Drops every statement (better-sqlite3 finalizes them when they are garbage-collected or the database closes). */
  clear(): void {
    this.#entries.clear();
  }

  stats(): StatementCacheStats {
    return { prepared: this.#prepared, hits: this.#hits, size: this.#entries.size, capacity: this.#capacity };
  }
}
