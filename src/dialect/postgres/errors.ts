import {
  CheckViolationError, ConflictError, DatabaseError, DatabaseUnavailableError, ForeignKeyError,
  QueryTimeoutError, ReadOnlyError, SerializationError, SqlwrightError,
} from '../../errors.js';
import { SQLSTATE, isConnectionBroken } from '../../errors/sqlstate.js';

/** The fields of a pg DatabaseError we read. */
interface PgErrorLike {
  code?: string;
  message?: string;
  constraint?: string;
  table?: string;
  detail?: string;
}

/** `Key (provider, subject)=(google, 1) already exists.` -> ['provider', 'subject']; PostgreSQL puts the columns only in `detail`. */
function columnsFromDetail(detail: string | undefined): string[] {
  const match = detail && /^Key \((.+?)\)=/.exec(detail);
  return match ? match[1].split(',').map((c) => c.trim().replace(/^"|"$/g, '')) : [];
}

/** Maps a pg error to sqlwright's typed errors by SQLSTATE; the original stays as `cause`. */
export function translatePostgresError(error: unknown, sql?: string): SqlwrightError {
  if (error instanceof SqlwrightError) return error;
  const e = (error ?? {}) as PgErrorLike;
  const message = e.message ?? String(error);
  const options = { cause: error, sql };
  switch (e.code) {
    case SQLSTATE.uniqueViolation:
    case SQLSTATE.exclusionViolation:
      return new ConflictError(message, { constraint: e.constraint, columns: columnsFromDetail(e.detail), table: e.table }, options);
    case SQLSTATE.foreignKeyViolation:
      return new ForeignKeyError(message, { constraint: e.constraint, table: e.table }, options);
    case SQLSTATE.checkViolation:
    case SQLSTATE.notNullViolation:
    case SQLSTATE.invalidTextRepresentation:
    // bad input values, as SQLite's emitted CHECKs (numeric precision, varchar length) report them there
    case SQLSTATE.numericValueOutOfRange:
    case SQLSTATE.stringDataRightTruncation:
      return new CheckViolationError(message, { constraint: e.constraint, table: e.table }, options);
    case SQLSTATE.queryCanceled:
      return new QueryTimeoutError(message, options);
    case SQLSTATE.serializationFailure:
    case SQLSTATE.deadlockDetected:
      return new SerializationError(message, options);
    case SQLSTATE.readOnlyTransaction:
      return new ReadOnlyError(message, options);
  }
  // A connection lost mid-query arrives from the pool as DatabaseUnavailableError already (it watches the
  // client's 'error'/'end' events); here only coded errors are classified, never by message text.
  if (isConnectionBroken(error)) {
    return new DatabaseUnavailableError(`database unavailable: ${message}`, options);
  }
  return new DatabaseError(message, { ...options, sqlState: e.code });
}
