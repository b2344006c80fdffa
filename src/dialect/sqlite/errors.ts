import {
  CheckViolationError, ConflictError, DatabaseError, DatabaseUnavailableError, ForeignKeyError,
  ReadOnlyError, SerializationError, SqlwrightError,
} from '../../errors.js';

/** The fields of better-sqlite3's SqliteError we read. */
interface SqliteErrorLike {
  /** The extended result code name, e.g. `SQLITE_CONSTRAINT_UNIQUE`. */
  code?: unknown;
  message?: unknown;
}

/**
 * SQLite reports the table and columns of a constraint failure only in the message text (there is no
 * structured field like PostgreSQL's `table`/`detail`), so these parsers read it. They never decide the error
 * class — the extended result code does — they only fill in details, and a message they do not recognise
 * leaves the details empty.
 */
const UNIQUE_COLUMNS = /^UNIQUE constraint failed: (.+)$/;
const UNIQUE_INDEX = /^UNIQUE constraint failed: index '(.+)'$/;
const QUALIFIED_COLUMN = /^(?:[^.\s]+\.)?([^.\s]+)\.([^.\s]+)$/;
const CHECK_NAME = /^CHECK constraint failed: ([A-Za-z_][A-Za-z0-9_$]*)$/;
const TABLE_COLUMN_AT_END = /(?:^|\s)(?:[^.\s]+\.)?([^.\s]+)\.[^.\s]+$/;

/** "UNIQUE constraint failed: user_identities.provider, user_identities.subject" → table and columns. */
function uniqueDetails(message: string): { constraint?: string; columns: string[]; table?: string } {
  const index = UNIQUE_INDEX.exec(message);
  if (index) return { constraint: index[1], columns: [] };
  const list = UNIQUE_COLUMNS.exec(message);
  if (!list) return { columns: [] };
  let table: string | undefined;
  const columns: string[] = [];
  for (const part of list[1].split(', ')) {
    const m = QUALIFIED_COLUMN.exec(part.trim());
    if (!m) return { columns: [] };
    table = m[1];
    columns.push(m[2]);
  }
  return { columns, table };
}

/** "NOT NULL constraint failed: users.first_name", "cannot store TEXT value in INTEGER column tasks.priority". */
function tableAtEnd(message: string): string | undefined {
  return TABLE_COLUMN_AT_END.exec(message)?.[1];
}

/**
 * Maps a better-sqlite3 error to sqlwright's typed errors by its extended result code, so the same failure has
 * the same class on SQLite and PostgreSQL (a unique violation is a ConflictError on both). The driver's error
 * stays as `cause`; errors that are already typed pass through.
 *
 * What SQLite cannot tell: constraint names of UNIQUE/PRIMARY KEY/FOREIGN KEY failures (undefined here, where
 * PostgreSQL names them), and the table of a CHECK or FOREIGN KEY failure.
 */
export function translateSqliteError(error: unknown, sql?: string): SqlwrightError {
  if (error instanceof SqlwrightError) return error;
  const e = (error ?? {}) as SqliteErrorLike;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const code = typeof e.code === 'string' ? e.code : undefined;
  const options = { cause: error, sql };
  switch (code) {
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      return new ConflictError(message, uniqueDetails(message), options);
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
      return new ForeignKeyError(message, {}, options);
    case 'SQLITE_CONSTRAINT_CHECK':
      return new CheckViolationError(message, { constraint: CHECK_NAME.exec(message)?.[1] }, options);
    case 'SQLITE_CONSTRAINT_NOTNULL':
    case 'SQLITE_CONSTRAINT_DATATYPE': // a STRICT table refused a value of the wrong type (PostgreSQL: 22P02)
      return new CheckViolationError(message, { table: tableAtEnd(message) }, options);
  }
  if (code !== undefined) {
    // Another process holds the lock past busy_timeout: like a serialization failure, retrying the whole
    // transaction is the remedy.
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new SerializationError(message, options);
    if (code.startsWith('SQLITE_READONLY')) return new ReadOnlyError(message, options);
    if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL') {
      return new DatabaseUnavailableError(`database unavailable: ${message}`, options);
    }
  }
  return new DatabaseError(message, { ...options, sqlState: code });
}
