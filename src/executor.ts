/** The dialects sqlwright runs on. */
export type DialectName = 'postgres' | 'sqlite';

/**
 * How a value is stored, independent of dialect. Generated code describes every parameter and result
 * column with one of these, and each dialect's codec converts JS values to and from its storage.
 */
export type ValueKind =
  | 'text' | 'uuid' | 'int' | 'bigint' | 'numeric' | 'float' | 'bool'
  | 'date' | 'timestamp' | 'json' | 'bytea' | 'enum';

export interface ColumnType {
  kind: ValueKind;
  /** A one-dimensional array of `kind`. */
  array?: boolean;
  /**
   * Digits after the point of a `numeric(p, s)` column. PostgreSQL returns such values with exactly `s` digits
   * (`'12.30'`); dialects that store the text as given pad or round to it on decode.
   */
  scale?: number;
  /** An enum's labels in declaration order, the order PostgreSQL sorts it by; dialects that store labels sort by it. */
  values?: readonly string[];
  /** The auto-numbered key SQLite stores as its INTEGER rowid (an int8 there is not decimal text): it sorts as stored. */
  rowid?: boolean;
}

/** Converts values between the JS types of generated entities and what the driver sends and returns. */
export interface ValueCodec {
  encode(value: unknown, type: ColumnType): unknown;
  decode(value: unknown, type: ColumnType): unknown;
  /**
   * Optional, for speed: how this codec decodes values of `type`, resolved once per column instead of per value.
   * `null` means values of this type come back as they are (null and undefined as null); a function is called
   * with non-null values only. Either way the result must equal `decode(value, type)`.
   */
  decoder?(type: ColumnType): ((value: unknown) => unknown) | null;
  /**
   * Optional: an SQL expression over `sql` (a column, or a `$n` parameter holding the column's text) that sorts
   * values of `type` as PostgreSQL sorts the column, where the storage would sort otherwise. `list()` orders and
   * pages by it. Absent, or returning `sql`: the column sorts as stored.
   */
  sortKey?(sql: string, type: ColumnType): string;
}

export interface QueryResult<R = Record<string, unknown>> {
  rows: R[];
  rowCount: number;
}

export interface QueryOptions {
  /**
   * A stable name for a statement run many times; dialects may prepare it once under this name (PostgreSQL
   * named statements, SQLite's statement cache). Ignored where named statements are off (PgBouncer).
   */
  name?: string;
  /**
   * `'array'`: each row is an array of its values in select-list order (pg's `rowMode: 'array'`). A hint for
   * hot lookups: executors may ignore it, so callers accept object rows too.
   */
  rowMode?: 'array';
  /** The caller reads only the first row (a lookup by a unique key); a dialect may stop a read-only statement after it. */
  singleRow?: boolean;
}

/**
 * What generated repositories run statements through. Sessions and transactions of the runtime implement
 * it. Statement text is PostgreSQL-flavoured with `$1..$n` placeholders; the SQLite dialect translates.
 * Errors thrown are sqlwright's typed errors (errors.ts).
 */
export interface Executor {
  readonly dialect: DialectName;
  readonly codec: ValueCodec;
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>>;
  /**
   * Optional fast path, offered where statements run synchronously (SQLite): runs the statement now and returns
   * what `query` would resolve to, or returns `undefined` without running anything when it cannot (the connection
   * is lent out, PostgreSQL); then call `query`. Same logging as `query`.
   * @throws what `query` would reject with.
   */
  queryNow?<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): QueryResult<R> | undefined;
}
