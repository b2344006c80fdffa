/**
 * Typed errors, the same on every dialect. Each keeps the driver's error as `cause`; classification is by
 * SQLSTATE / SQLite code (see errors/classify.ts), never by message text.
 */
export class SqlwrightError extends Error {
  /** A stable machine-readable code, e.g. `conflict`, `pool_timeout`. */
  readonly code: string;
  /** The statement that failed, when there was one (never its parameters: they may be secrets). */
  readonly sql?: string;

  constructor(code: string, message: string, options?: { cause?: unknown; sql?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options?.sql !== undefined) this.sql = options.sql;
  }
}

/** One problem found by zod (or by our own checks) in input, with the path of the offending key. */
export interface ValidationIssue {
  path: (string | number)[];
  message: string;
  code?: string;
}

/** Input failed validation; no SQL was sent. */
export class ValidationError extends SqlwrightError {
  readonly issues: ValidationIssue[];
  constructor(message: string, issues: ValidationIssue[], options?: { cause?: unknown }) {
    super('validation', message, options);
    this.issues = issues;
  }
}

export class NotFoundError extends SqlwrightError {
  readonly entity: string;
  readonly key: unknown;
  constructor(entity: string, key: unknown, options?: { cause?: unknown }) {
    super('not_found', `${entity} ${JSON.stringify(key)} not found`, options);
    this.entity = entity;
    this.key = key;
  }
}

/** A unique or exclusion constraint rejected the write (SQLSTATE 23505 / 23P01, SQLite UNIQUE). */
export class ConflictError extends SqlwrightError {
  readonly constraint?: string;
  readonly columns: string[];
  readonly table?: string;
  constructor(message: string, details: { constraint?: string; columns: string[]; table?: string }, options?: { cause?: unknown; sql?: string }) {
    super('conflict', message, options);
    this.constraint = details.constraint;
    this.columns = details.columns;
    this.table = details.table;
  }
}

/** A foreign key rejected the write (SQLSTATE 23503, SQLite FOREIGN KEY). */
export class ForeignKeyError extends SqlwrightError {
  readonly constraint?: string;
  readonly table?: string;
  constructor(message: string, details: { constraint?: string; table?: string }, options?: { cause?: unknown; sql?: string }) {
    super('foreign_key', message, options);
    this.constraint = details.constraint;
    this.table = details.table;
  }
}

/** A CHECK or NOT NULL constraint, or an invalid enum/text representation, rejected the value. */
export class CheckViolationError extends SqlwrightError {
  readonly constraint?: string;
  readonly table?: string;
  constructor(message: string, details: { constraint?: string; table?: string }, options?: { cause?: unknown; sql?: string }) {
    super('check_violation', message, options);
    this.constraint = details.constraint;
    this.table = details.table;
  }
}

/** The statement ran past its timeout (server-side 57014 or the client-side guard). */
export class QueryTimeoutError extends SqlwrightError {
  readonly timeoutMs?: number;
  constructor(message: string, options?: { cause?: unknown; sql?: string; timeoutMs?: number }) {
    super('query_timeout', message, options);
    this.timeoutMs = options?.timeoutMs;
  }
}

/** A snapshot of a pool, as `pool.status()` returns it. */
export interface PoolStatus {
  /** Configured base size (`poolSize`). */
  size: number;
  /** Open connections idle in the pool. */
  checkedIn: number;
  /** Connections lent out. */
  checkedOut: number;
  /** Open connections beyond `poolSize` (0 when at or below it). */
  overflow: number;
  /** Connections found broken or marked for replacement since the pool started. */
  invalid: number;
  /** Callers waiting for a connection. */
  waiting: number;
  /** Open connections, idle + lent + being opened. */
  total: number;
  /** `poolSize + maxOverflow`. */
  max: number;
}

/** Every connection is in use and none came back within `poolTimeout`. */
export class PoolTimeoutError extends SqlwrightError {
  readonly status: PoolStatus;
  readonly timeoutMs: number;
  constructor(status: PoolStatus, timeoutMs: number, options?: { cause?: unknown }) {
    super(
      'pool_timeout',
      `pool limit of size ${status.size} overflow ${status.max - status.size} reached, connection timed out, ` +
        `timeout ${timeoutMs / 1000}s (checked out ${status.checkedOut}, waiting ${status.waiting})`,
      options,
    );
    this.status = status;
    this.timeoutMs = timeoutMs;
  }
}

/** The database cannot be reached or dropped the connection (connect refused, SQLSTATE 08*, 57P01-57P03). */
export class DatabaseUnavailableError extends SqlwrightError {
  constructor(message: string, options?: { cause?: unknown; sql?: string }) {
    super('database_unavailable', message, options);
  }
}

/** A serialization failure (40001) or deadlock (40P01): safe to retry the whole transaction. */
export class SerializationError extends SqlwrightError {
  constructor(message: string, options?: { cause?: unknown; sql?: string }) {
    super('serialization', message, options);
  }
}

/** A write was attempted where only reads are allowed (25006), e.g. in `db.readOnly`. */
export class ReadOnlyError extends SqlwrightError {
  constructor(message: string, options?: { cause?: unknown; sql?: string }) {
    super('read_only', message, options);
  }
}

/** Any other database error, with its SQLSTATE (or SQLite code) when known. */
export class DatabaseError extends SqlwrightError {
  readonly sqlState?: string;
  /** `code` is for subclasses; a plain DatabaseError is `database`. */
  constructor(message: string, options?: { cause?: unknown; sql?: string; sqlState?: string }, code = 'database') {
    super(code, message, options);
    this.sqlState = options?.sqlState;
  }
}

/**
 * COMMIT found the transaction aborted by an earlier statement error (SQLSTATE 25P02) and rolled it back, so
 * nothing was saved: the callback caught that error and returned normally. Catch errors inside a savepoint
 * (`tx.savepoint()` or a nested `db.transaction()`) to carry on after them.
 */
export class TransactionAbortedError extends DatabaseError {
  constructor(options?: { cause?: unknown }) {
    super(
      'the transaction was aborted by an earlier error and rolled back at COMMIT; nothing was saved ' +
        '(a statement failed inside it and its error was caught; use a savepoint to continue after an error)',
      { ...options, sql: 'COMMIT', sqlState: '25P02' },
      'transaction_aborted',
    );
  }
}

/**
 * A nested `db.transaction()` / `db.readOnly()` would join an open transaction whose settings it contradicts
 * (read-only inside read-write, another isolation level). Thrown before any SQL is sent.
 */
export class NestedTransactionError extends SqlwrightError {
  constructor(message: string) {
    super('nested_transaction_conflict', message);
  }
}

/**
 * The operation cannot run on this dialect, e.g. a named query codegen marked PostgreSQL-only called on SQLite.
 * Thrown before any SQL is sent.
 */
export class UnsupportedOnDialectError extends SqlwrightError {
  readonly dialect: string;
  /** What was called, e.g. `UserRepository.searchUsersByName`. */
  readonly operation: string;
  constructor(operation: string, dialect: string, reason: string, options?: { cause?: unknown }) {
    super('unsupported_on_dialect', `${operation} is PostgreSQL-only: ${reason} (called on ${dialect}; no SQL was sent)`, options);
    this.dialect = dialect;
    this.operation = operation;
  }
}

/** The HTTP status a service should answer with for an error, as the service design suggests. */
export function httpStatusOf(error: unknown): number {
  if (error instanceof ValidationError || error instanceof CheckViolationError || error instanceof ForeignKeyError) return 400;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError || error instanceof SerializationError) return 409;
  if (error instanceof PoolTimeoutError || error instanceof DatabaseUnavailableError || error instanceof QueryTimeoutError) return 503;
  return 500;
}
