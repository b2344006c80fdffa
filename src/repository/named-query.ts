import type { z } from 'zod';
import type { ColumnType, Executor } from '../executor.js';
import { UnsupportedOnDialectError } from '../errors.js';
import type { ColumnDescriptor } from './descriptors.js';
import { decodeRow } from './row-decoder.js';
import { validate } from './validate.js';

/** A named query from sql/queries, typed at codegen. */
export interface NamedQuery {
  /** Stable statement name. */
  name: string;
  /** `Repository.method`, for messages. */
  method: string;
  text: string;
  /** Parameter types, `$1` first. */
  params: readonly ColumnType[];
  /** Result columns; empty for statements that return nothing. */
  columns: readonly ColumnDescriptor[];
  /** Set by codegen when the query cannot run (or would return something else) on SQLite: the reason. */
  postgresOnly?: string;
}

/**
 * The query's parameters, each encoded by the executor's codec as its declared type.
 * @throws UnsupportedOnDialectError for a PostgreSQL-only query on another dialect, before any SQL.
 */
function encodeParams(executor: Executor, query: NamedQuery, values: readonly unknown[]): unknown[] {
  if (query.postgresOnly !== undefined && executor.dialect !== 'postgres') {
    throw new UnsupportedOnDialectError(query.method, executor.dialect, query.postgresOnly);
  }
  return values.map((v, i) => executor.codec.encode(v ?? null, query.params[i]));
}

/**
 * Runs a named query with already validated, ordered parameters, decodes its rows and parses each with
 * `rowSchema`, so a column that the SQL declared non-null but came back null is caught.
 * @throws ValidationError when a row does not match its declared type.
 */
export async function runNamedQuery<T>(executor: Executor, query: NamedQuery, values: readonly unknown[], rowSchema: z.ZodType<T>): Promise<T[]> {
  const params = encodeParams(executor, query, values);
  const { rows } = await executor.query(query.text, params, { name: query.name });
  return rows.map((row) => validate(rowSchema, decodeRow(executor, row, query.columns), `${query.method}: result row`));
}

/** Runs a named query that returns no rows; resolves to the number of rows it affected. */
export async function runNamedCommand(executor: Executor, query: NamedQuery, values: readonly unknown[]): Promise<number> {
  const params = encodeParams(executor, query, values);
  return (await executor.query(query.text, params, { name: query.name })).rowCount;
}
