/** SQLSTATE classes and codes that decide how an error is handled. One table; no message matching. */

/** Connection exceptions (08xxx) and shutdowns (57P01 admin, 57P02 crash, 57P03 cannot connect now). */
const BROKEN_CONNECTION_CODES = new Set(['57P01', '57P02', '57P03']);

/** Node socket errors that mean the connection is gone. */
const SOCKET_ERROR_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED',
]);

interface ErrorLike {
  code?: unknown;
  cause?: unknown;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as ErrorLike | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * True when the error means the connection itself is unusable (and must be evicted), as opposed to a
 * statement error after which the connection is fine. pg reports a dead socket as a plain Error with no
 * code ("Connection terminated unexpectedly"); the pool recognises those from the client's events instead.
 */
export function isConnectionBroken(error: unknown): boolean {
  const code = codeOf(error);
  if (code === undefined) {
    const cause = (error as ErrorLike | undefined)?.cause;
    return cause !== undefined && cause !== error ? isConnectionBroken(cause) : false;
  }
  return code.startsWith('08') || BROKEN_CONNECTION_CODES.has(code) || SOCKET_ERROR_CODES.has(code);
}

export const SQLSTATE = {
  uniqueViolation: '23505',
  exclusionViolation: '23P01',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  notNullViolation: '23502',
  invalidTextRepresentation: '22P02',
  numericValueOutOfRange: '22003',
  stringDataRightTruncation: '22001',
  queryCanceled: '57014',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  readOnlyTransaction: '25006',
  undefinedTable: '42P01',
} as const;
