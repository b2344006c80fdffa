import { SqlwrightError } from '../errors.js';

/** What a failed statement tells about itself, wherever it was raised. */
export interface StatementFailure {
  message: string;
  /** PostgreSQL's SQLSTATE, e.g. `42703`. */
  sqlState?: string;
  /** 1-based character offset of the error in the statement, when the server gave one. */
  position?: number;
}

/**
 * PostgreSQL's SQLSTATE classes (Appendix A, "PostgreSQL Error Codes"). Checking the class, not just the shape,
 * keeps Node's errno codes out: `EPIPE` and `EPERM` are five capital letters too.
 */
const SQLSTATE_CLASSES = new Set([
  '00', '01', '02', '03', '08', '09', '0A', '0B', '0F', '0L', '0P', '0Z', '20', '21', '22', '23', '24', '25', '26', '27',
  '28', '2B', '2D', '2F', '34', '38', '39', '3B', '3D', '3F', '40', '42', '44', '53', '54', '55', '57', '58', '72', 'F0',
  'HV', 'P0', 'XX',
]);

/** A PostgreSQL SQLSTATE: five characters of [0-9A-Z] in one of its classes. */
export function isSqlState(code: string): boolean {
  return /^[0-9A-Z]{5}$/.test(code) && SQLSTATE_CLASSES.has(code.slice(0, 2));
}

/**
 * Reads the SQLSTATE and position of a statement's failure from a `pg` error, or from the sqlwright error
 * wrapping one (as `db.session()` hands it back): `code` on ours is our own word (`database`), not the SQLSTATE.
 */
export function statementFailure(error: unknown): StatementFailure {
  const failure: StatementFailure = { message: (error as Error | undefined)?.message ?? String(error) };
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const fields = e as { sqlState?: unknown; code?: unknown; position?: unknown };
    const sqlState = typeof fields.sqlState === 'string' ? fields.sqlState : !(e instanceof SqlwrightError) ? fields.code : undefined;
    if (failure.sqlState === undefined && typeof sqlState === 'string' && isSqlState(sqlState)) failure.sqlState = sqlState;
    if (failure.position === undefined && fields.position !== undefined && Number(fields.position) > 0) failure.position = Number(fields.position);
  }
  return failure;
}
