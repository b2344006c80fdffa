import { SqlwrightError } from '../errors.js';

/** What a failed statement tells about itself, wherever it was raised. */
export interface StatementFailure {
  message: string;
  /** PostgreSQL's SQLSTATE, e.g. `42703`. */
  sqlState?: string;
  /** 1-based character offset of the error in the statement, when the server gave one. */
  position?: number;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * Reads the SQLSTATE and position of a statement's failure from a `pg` error, or from the sqlwright error
 * wrapping one (as `db.session()` hands it back): `code` on ours is our own word (`database`), not the SQLSTATE.
 */
export function statementFailure(error: unknown): StatementFailure {
  const failure: StatementFailure = { message: (error as Error | undefined)?.message ?? String(error) };
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const fields = e as { sqlState?: unknown; code?: unknown; position?: unknown };
    const sqlState = typeof fields.sqlState === 'string' ? fields.sqlState : !(e instanceof SqlwrightError) ? fields.code : undefined;
    if (failure.sqlState === undefined && typeof sqlState === 'string' && SQLSTATE.test(sqlState)) failure.sqlState = sqlState;
    if (failure.position === undefined && fields.position !== undefined && Number(fields.position) > 0) failure.position = Number(fields.position);
  }
  return failure;
}
