import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { decimalSortKey } from './decimal-order.js';

/** The registered function that sorts bigint/numeric text as numbers (decimal-order.ts). */
export const DECIMAL_KEY_FUNCTION = 'sqlwright_decimal_key';

/**
 * The clock behind SQL `now()`. PostgreSQL's `now()` is the start time of the current transaction: every call
 * until COMMIT/ROLLBACK returns the same value. SQLite has no such function, so the connection tells the clock
 * when a statement starts outside a transaction (an autocommit statement, or the BEGIN of a new one) and the
 * clock forgets its value then; inside a transaction the first value read is kept.
 */
export class TransactionClock {
  #value: string | undefined;
  readonly #source: () => Date;

  constructor(source: () => Date = () => new Date()) {
    this.#source = source;
  }

  /** Called before each statement that starts outside a transaction. */
  reset(): void {
    this.#value = undefined;
  }

  /** The current transaction's timestamp in the storage format: ISO-8601 UTC with milliseconds. */
  now(): string {
    return (this.#value ??= this.#source().toISOString());
  }
}

/**
 * Registers the PostgreSQL functions the emitted schema and portable queries use:
 * - `gen_random_uuid()`: a v4 UUID in canonical lowercase text (the uuid storage format).
 * - `now()`, `transaction_timestamp()`: see {@link TransactionClock}; `clock_timestamp()` returns the wall clock.
 * All are non-deterministic, so SQLite never folds them into constants or uses them in indexes.
 * - `sqlwright_decimal_key(x)`: the exact sort key of a decimal (decimal-order.ts); deterministic.
 */
export function registerFunctions(db: BetterSqlite3.Database, clock: TransactionClock): void {
  const volatile = { deterministic: false, varargs: false } as const;
  db.function('gen_random_uuid', volatile, () => randomUUID());
  db.function('now', volatile, () => clock.now());
  db.function('transaction_timestamp', volatile, () => clock.now());
  db.function('clock_timestamp', volatile, () => new Date().toISOString());
  // safeIntegers: an INTEGER argument arrives as a bigint, exact past 2^53 (as a number it would be rounded).
  db.function(DECIMAL_KEY_FUNCTION, { deterministic: true, varargs: false, safeIntegers: true }, decimalSortKey);
}
