import { z } from 'zod';
import type { ValueCodec } from './executor.js';
import { ValidationError } from './errors.js';
import type { ColumnDescriptor } from './repository/descriptors.js';
import { whereClause } from './repository/table-statements.js';

/**
 * Keyset pagination for `Table.list`: its options, the SQL of one page and the opaque cursor to the next. A page is
 * the rows strictly after the previous page's last `(sort column, key)`, so each row shows up once however rows
 * are inserted or deleted between pages.
 */

export type SortDirection = 'asc' | 'desc';

export interface ListOptions<W, F extends string> {
  /** Equality on columns; `null` matches NULL. */
  where?: W;
  /** Sort column (non-null columns only) and direction; the key breaks ties. Default: the key, ascending. */
  orderBy?: { field: F; direction?: SortDirection };
  /** Rows per page, 1..1000, default 50. */
  limit?: number;
  /** The `next` cursor of the previous page. */
  after?: string | null;
}

export interface Page<T> {
  rows: T[];
  /** Cursor for the following page; null on the last page. */
  next: string | null;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

/** The zod schema of `list()` options for a table with this `where` schema and these sortable fields. */
export function listOptionsSchema(where: z.ZodType<Record<string, unknown>, any>, sortable: readonly [string, ...string[]]) {
  return z
    .strictObject({
      where: where.optional(),
      orderBy: z.strictObject({ field: z.enum(sortable), direction: z.enum(['asc', 'desc']).optional() }).optional(),
      limit: z.number().int().min(1).max(MAX_LIMIT).optional(),
      after: z.string().nullish(),
    })
    .optional();
}

/** One `list()` call, resolved against its table. */
export interface PageRequest {
  /** The schema-qualified table. */
  from: string;
  /** Its select list. */
  columns: string;
  sort: ColumnDescriptor;
  key: ColumnDescriptor;
  direction: SortDirection;
  after?: string | null;
  limit: number;
}

/**
 * The SELECT of one page, `limit + 1` rows so that `pageOf` knows whether another follows. `conditions` and
 * `params` come holding the `where` filter's; the cursor's values and the limit are appended to `params`. Sort
 * column and key are compared through the codec's `sortKey`, so a dialect that stores a type in a form that sorts
 * otherwise (SQLite: bigint/numeric as text, enums as labels) orders and pages as PostgreSQL does.
 * @throws ValidationError when `after` is not a cursor for this order.
 */
export function pageQuery(request: PageRequest, conditions: string[], params: unknown[], codec: ValueCodec): string {
  const { sort, key, direction } = request;
  const sortKey = (c: ColumnDescriptor, sql: string) => codec.sortKey?.(sql, c.type) ?? sql;
  if (request.after) {
    const cursor = decodeCursor(request.after, sort.field, direction);
    const op = direction === 'asc' ? '>' : '<';
    if (sort === key) {
      params.push(cursor.values[1]);
      conditions.push(`${sortKey(key, key.sql)} ${op} ${sortKey(key, `$${params.length}`)}`);
    } else {
      params.push(cursor.values[0], cursor.values[1]);
      const [v, k] = [`$${params.length - 1}`, `$${params.length}`];
      conditions.push(`(${sortKey(sort, sort.sql)}, ${sortKey(key, key.sql)}) ${op} (${sortKey(sort, v)}, ${sortKey(key, k)})`);
    }
  }
  params.push(request.limit + 1);
  const dir = direction.toUpperCase();
  return (
    `SELECT ${request.columns}, CAST(${sort.sql} AS text) AS sqlwright_sort, CAST(${key.sql} AS text) AS sqlwright_key` +
    ` FROM ${request.from}${whereClause(conditions)}` +
    ` ORDER BY ${sortKey(sort, sort.sql)} ${dir}${sort === key ? '' : `, ${sortKey(key, key.sql)} ${dir}`} LIMIT $${params.length}`
  );
}

/** The page among the rows `pageQuery` returned, and the cursor after its last row when more rows follow. */
export function pageOf<R extends Record<string, unknown>>(request: PageRequest, rows: readonly R[]): Page<R> {
  const page = rows.slice(0, request.limit);
  const last = page[page.length - 1];
  const next =
    rows.length > request.limit
      ? encodeCursor({ field: request.sort.field, direction: request.direction, values: [last.sqlwright_sort as string | null, last.sqlwright_key as string] })
      : null;
  return { rows: page, next };
}

/**
 * A keyset cursor: where the previous page ended, as the database's own text for the sort column and the key
 * (`CAST(col AS text)`), so a timestamptz keeps its microseconds (a JS Date would round them and repeat rows).
 */
export interface Cursor {
  /** The sort field and direction the cursor was made for; a cursor is only valid with the same ones. */
  field: string;
  direction: SortDirection;
  /** Sort column value, then key value, as text. */
  values: [string | null, string];
}

/** Opaque to callers: base64url of JSON. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.field, cursor.direction, ...cursor.values])).toString('base64url');
}

/** @throws ValidationError when the cursor is malformed or was made for another sort order. */
export function decodeCursor(text: string, field: string, direction: SortDirection): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const ok =
    Array.isArray(parsed) && parsed.length === 4 && typeof parsed[0] === 'string' && (parsed[1] === 'asc' || parsed[1] === 'desc') &&
    (typeof parsed[2] === 'string' || parsed[2] === null) && typeof parsed[3] === 'string';
  if (!ok) throw new ValidationError('invalid cursor', [{ path: ['after'], message: 'not a cursor returned by list()', code: 'invalid_cursor' }]);
  const [f, d, v, k] = parsed as [string, SortDirection, string | null, string];
  if (f !== field || d !== direction) {
    throw new ValidationError('cursor does not match the sort order', [
      { path: ['after'], message: `cursor was made for orderBy ${f} ${d}, not ${field} ${direction}`, code: 'invalid_cursor' },
    ]);
  }
  return { field: f, direction: d, values: [v, k] };
}
