import { z } from 'zod';
import type { ColumnType, Executor, QueryOptions, ValueCodec } from './executor.js';
import { NotFoundError, UnsupportedOnDialectError, ValidationError, type ValidationIssue } from './errors.js';
import { decodeCursor, encodeCursor } from './keyset.js';
import { acceptsAsIs } from './column-schemas.js';

/**
 * The helpers generated repositories call (generated/repositories/*.ts): input validation, row decoding and
 * the CRUD statements, built once per table from its catalog descriptor. Identifiers come only from the
 * descriptor; every value is a `$n` parameter encoded with the executor's codec.
 *
 * This is the one module generated code imports (`sqlwright/runtime` in a service, the path `runtimeModule` names
 * in sqlwright.config.json otherwise), so it also hands out what else that code needs: the column schemas as `t`,
 * zod's `z` (the instance these helpers validate with, whatever zod the service has) and the Executor type.
 */
export { z } from 'zod';
export * as t from './column-schemas.js';
export type { Executor } from './executor.js';

export interface ColumnDescriptor {
  /** The name a row carries (for named queries, including any `!`/`?` suffix). */
  column: string;
  /** The column as SQL spells it (quoted where needed). */
  sql: string;
  /** The camelCase key in entities. */
  field: string;
  type: ColumnType;
  /**
   * The column's default in SQLite form (`(gen_random_uuid())`, `'todo'`, `0`), written by insertMany on SQLite for
   * a row that leaves the column out: SQLite has no `DEFAULT` inside `VALUES`. Absent: NULL, as SQLite's DEFAULT.
   */
  sqliteDefault?: string;
}

export interface TableDescriptor {
  /** Entity name for messages, e.g. `User`. */
  entity: string;
  /** Schema-qualified table, e.g. `app.users`. */
  sqlName: string;
  /** Prefix of statement names, e.g. `sqlwright_users`. */
  statement: string;
  columns: readonly ColumnDescriptor[];
  /** Field of the single-column primary key. */
  key: string;
  /** Field of the created_at timestamp, when the table has one: upsert never overwrites it. */
  createdAt?: string;
  /** Field set to CURRENT_TIMESTAMP by update and upsert, when the table has one. */
  updatedAt?: string;
  /** Unique keys usable by upsert, by name (camelCase fields joined with `And`) -> fields. */
  uniqueKeys: Readonly<Record<string, readonly string[]>>;
}

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
/** Bind parameters per statement: PostgreSQL's limit, and SQLite's (SQLITE_MAX_VARIABLE_NUMBER). */
const MAX_PARAMS = { postgres: 65535, sqlite: 32766 } as const;

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

function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
    message: i.message,
    code: i.code,
  }));
}

/**
 * Parses `input` with `schema` and returns the parsed value (defaults and transforms applied).
 * @throws ValidationError with one issue per zod issue; nothing has been sent to the database.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const accepts = acceptsAsIs.get(schema);
  if (accepts !== undefined && accepts(input)) return input as z.output<S>;
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = toIssues(result.error);
  const summary = issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
  throw new ValidationError(`${what}: invalid input: ${summary}`, issues);
}

/** A row as the driver returned it -> the entity shape: camelCase keys, values decoded by the codec. */
export function decodeRow<T>(executor: Executor, row: Record<string, unknown>, columns: readonly ColumnDescriptor[]): T {
  const codec = executor.codec;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i];
    out[c.field] = codec.decode(row[c.column], c.type);
  }
  return out as T;
}

/** A row as the driver returned it, or as an array of its values in `columns` order (`rowMode: 'array'`), to an entity. */
type RowDecoder = (row: Record<string, unknown> | readonly unknown[]) => unknown;

/**
 * A function equal to `(row) => decodeRow(executor, row, columns)` for one codec, built once: each column's
 * decoding is resolved ahead of time (`ValueCodec.decoder`) instead of switching on its type for every value.
 * It reads a row given as an array by position.
 */
function compileRowDecoder(codec: ValueCodec, columns: readonly ColumnDescriptor[]): RowDecoder {
  const plan = columns.map((c) => ({ field: c.field, column: c.column, decode: codec.decoder ? codec.decoder(c.type) : (v: unknown) => codec.decode(v, c.type) }));
  return (row) => {
    const byPosition = Array.isArray(row);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < plan.length; i++) {
      const p = plan[i];
      const value = byPosition ? row[i] : (row as Record<string, unknown>)[p.column];
      out[p.field] = value == null ? null : p.decode === null ? value : p.decode(value);
    }
    return out;
  };
}

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

/** @throws UnsupportedOnDialectError for a PostgreSQL-only query on another dialect, before any SQL. */
function checkDialect(executor: Executor, query: NamedQuery): void {
  if (query.postgresOnly !== undefined && executor.dialect !== 'postgres') {
    throw new UnsupportedOnDialectError(query.method, executor.dialect, query.postgresOnly);
  }
}

/**
 * Runs a named query with already validated, ordered parameters, decodes its rows and parses each with
 * `rowSchema`, so a column that the SQL declared non-null but came back null is caught.
 * @throws ValidationError when a row does not match its declared type.
 */
export async function runNamedQuery<T>(executor: Executor, query: NamedQuery, values: readonly unknown[], rowSchema: z.ZodType<T>): Promise<T[]> {
  checkDialect(executor, query);
  const params = values.map((v, i) => executor.codec.encode(v ?? null, query.params[i]));
  const { rows } = await executor.query(query.text, params, { name: query.name });
  return rows.map((row) => validate(rowSchema, decodeRow(executor, row, query.columns), `${query.method}: result row`));
}

/** Runs a named query that returns no rows; resolves to the number of rows it affected. */
export async function runNamedCommand(executor: Executor, query: NamedQuery, values: readonly unknown[]): Promise<number> {
  checkDialect(executor, query);
  const params = values.map((v, i) => executor.codec.encode(v ?? null, query.params[i]));
  return (await executor.query(query.text, params, { name: query.name })).rowCount;
}

/** The CRUD statements of one table; generated repositories hold one per table and pass their executor. */
export class Table<E> {
  readonly #d: TableDescriptor;
  readonly #byField: ReadonlyMap<string, ColumnDescriptor>;
  readonly #key: ColumnDescriptor;
  readonly #select: string;
  readonly #statements = new Map<string, string>();
  /** get(id) runs on every read: its text, name and options objects are built once. */
  readonly #getText: string;
  readonly #getOptions: { name: string };
  /** For `queryNow`: the row by position (the select list is `columns`), and only the first (the key is unique). */
  readonly #getNowOptions: QueryOptions;
  readonly #decoders = new Map<ValueCodec, RowDecoder>();
  #lastCodec: ValueCodec | undefined;
  #lastDecoder: RowDecoder | undefined;

  /** The table's columns, as named queries returning whole rows decode them. */
  get columns(): readonly ColumnDescriptor[] {
    return this.#d.columns;
  }

  constructor(descriptor: TableDescriptor) {
    this.#d = descriptor;
    this.#byField = new Map(descriptor.columns.map((c) => [c.field, c]));
    this.#key = this.#column(descriptor.key);
    this.#select = `SELECT ${descriptor.columns.map((c) => c.sql).join(', ')} FROM ${descriptor.sqlName}`;
    this.#getText = `${this.#select} WHERE ${this.#key.sql} = $1`;
    this.#getOptions = { name: `${descriptor.statement}_get` };
    this.#getNowOptions = { name: this.#getOptions.name, rowMode: 'array', singleRow: true };
  }

  #column(field: string): ColumnDescriptor {
    const c = this.#byField.get(field);
    if (!c) throw new Error(`${this.#d.sqlName} has no field ${field}`);
    return c;
  }

  /** Statement text by cache key, built once. */
  #statement(key: string, build: () => string): string {
    let text = this.#statements.get(key);
    if (text === undefined) {
      text = build();
      this.#statements.set(key, text);
    }
    return text;
  }

  #returning(): string {
    return this.#d.columns.map((c) => c.sql).join(', ');
  }

  /** Fields present in `values` (undefined counts as absent), in column order, and a name for that set. */
  #present(values: Record<string, unknown>, fields: readonly ColumnDescriptor[] = this.#d.columns): { columns: ColumnDescriptor[]; mask: string } {
    const columns = fields.filter((c) => values[c.field] !== undefined);
    let mask = 0n;
    for (const c of columns) mask |= 1n << BigInt(this.#d.columns.indexOf(c));
    return { columns, mask: mask.toString(36) };
  }

  #encode(executor: Executor, c: ColumnDescriptor, value: unknown): unknown {
    return executor.codec.encode(value ?? null, c.type);
  }

  #decode(executor: Executor, row: Record<string, unknown>): E {
    return this.#decoder(executor.codec)(row) as E;
  }

  /** The compiled row decoder for this codec (one per dialect in use, usually one). */
  #decoder(codec: ValueCodec): RowDecoder {
    if (codec === this.#lastCodec) return this.#lastDecoder!;
    let decoder = this.#decoders.get(codec);
    if (decoder === undefined) {
      decoder = compileRowDecoder(codec, this.#d.columns);
      this.#decoders.set(codec, decoder);
    }
    this.#lastCodec = codec;
    this.#lastDecoder = decoder;
    return decoder;
  }

  // Not `async`: it runs on every read. Where the executor can run the statement now (SQLite), the result is one
  // settled promise; elsewhere `.then` on the executor's promise. Errors are always rejections, never throws.
  get(executor: Executor, id: unknown): Promise<E | null> {
    try {
      const params = [executor.codec.encode(id ?? null, this.#key.type)];
      const decode = this.#decoder(executor.codec);
      if (executor.queryNow !== undefined) {
        const result = executor.queryNow(this.#getText, params, this.#getNowOptions);
        if (result !== undefined) return Promise.resolve(result.rows.length > 0 ? (decode(result.rows[0]) as E) : null);
      }
      return executor.query(this.#getText, params, this.#getOptions).then(({ rows }) => (rows.length > 0 ? (decode(rows[0]) as E) : null));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** @throws NotFoundError when no row has this key. */
  async getOrThrow(executor: Executor, id: unknown): Promise<E> {
    const row = await this.get(executor, id);
    if (row === null) throw new NotFoundError(this.#d.entity, id);
    return row;
  }

  /** Rows for these keys, in the order of `ids` (first occurrence), missing keys skipped. */
  async getMany(executor: Executor, ids: readonly unknown[]): Promise<E[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    let result;
    if (executor.dialect === 'postgres') {
      const text = this.#statement('getMany', () => `${this.#select} WHERE ${this.#key.sql} = ANY($1)`);
      const param = executor.codec.encode(unique, { ...this.#key.type, array: true });
      result = await executor.query(text, [param], { name: `${this.#d.statement}_get_many` });
    } else {
      const text = `${this.#select} WHERE ${this.#key.sql} IN (${unique.map((_, i) => `$${i + 1}`).join(', ')})`;
      result = await executor.query(text, unique.map((id) => this.#encode(executor, this.#key, id)));
    }
    const byKey = new Map<unknown, E>();
    for (const row of result.rows) {
      const entity = this.#decode(executor, row);
      byKey.set((entity as Record<string, unknown>)[this.#key.field], entity);
    }
    return unique.flatMap((id) => (byKey.has(id) ? [byKey.get(id)!] : []));
  }

  #where(executor: Executor, where: Record<string, unknown> | undefined, params: unknown[]): string[] {
    const conditions: string[] = [];
    for (const c of this.#present(where ?? {}).columns) {
      const value = where![c.field];
      if (value === null) conditions.push(`${c.sql} IS NULL`);
      else {
        params.push(this.#encode(executor, c, value));
        conditions.push(`${c.sql} = $${params.length}`);
      }
    }
    return conditions;
  }

  /**
   * One page in keyset order: `(sort column, key)` strictly after the cursor, so each row shows up once. Both
   * are compared through the codec's `sortKey`, so a dialect that stores a type in a form that sorts otherwise
   * (SQLite: bigint/numeric as text, enums as labels) orders and pages as PostgreSQL does.
   */
  async list(executor: Executor, options: ListOptions<Record<string, unknown>, string> = {}): Promise<Page<E>> {
    const sort = this.#column(options.orderBy?.field ?? this.#key.field);
    const direction = options.orderBy?.direction ?? 'asc';
    const limit = options.limit ?? DEFAULT_LIMIT;
    const sortKey = (c: ColumnDescriptor, sql: string) => executor.codec.sortKey?.(sql, c.type) ?? sql;
    const params: unknown[] = [];
    const conditions = this.#where(executor, options.where, params);
    if (options.after) {
      const cursor = decodeCursor(options.after, sort.field, direction);
      const op = direction === 'asc' ? '>' : '<';
      if (sort === this.#key) {
        params.push(cursor.values[1]);
        conditions.push(`${sortKey(this.#key, this.#key.sql)} ${op} ${sortKey(this.#key, `$${params.length}`)}`);
      } else {
        params.push(cursor.values[0], cursor.values[1]);
        const [v, k] = [`$${params.length - 1}`, `$${params.length}`];
        conditions.push(`(${sortKey(sort, sort.sql)}, ${sortKey(this.#key, this.#key.sql)}) ${op} (${sortKey(sort, v)}, ${sortKey(this.#key, k)})`);
      }
    }
    params.push(limit + 1);
    const dir = direction.toUpperCase();
    const text =
      `SELECT ${this.#returning()}, CAST(${sort.sql} AS text) AS sqlwright_sort, CAST(${this.#key.sql} AS text) AS sqlwright_key` +
      ` FROM ${this.#d.sqlName}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}` +
      ` ORDER BY ${sortKey(sort, sort.sql)} ${dir}${sort === this.#key ? '' : `, ${sortKey(this.#key, this.#key.sql)} ${dir}`} LIMIT $${params.length}`;
    const { rows } = await executor.query(text, params);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const next =
      rows.length > limit
        ? encodeCursor({ field: sort.field, direction, values: [last.sqlwright_sort as string | null, last.sqlwright_key as string] })
        : null;
    return { rows: page.map((row) => this.#decode(executor, row)), next };
  }

  async count(executor: Executor, where?: Record<string, unknown>): Promise<number> {
    const params: unknown[] = [];
    const conditions = this.#where(executor, where, params);
    const text = `SELECT count(*) AS count FROM ${this.#d.sqlName}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
    const { rows } = await executor.query<{ count: string | number }>(text, params);
    return Number(rows[0].count);
  }

  async insert(executor: Executor, values: Record<string, unknown>): Promise<E> {
    const { columns, mask } = this.#present(values);
    const text = this.#statement(`insert:${mask}`, () =>
      columns.length === 0
        ? `INSERT INTO ${this.#d.sqlName} DEFAULT VALUES RETURNING ${this.#returning()}`
        : `INSERT INTO ${this.#d.sqlName} (${columns.map((c) => c.sql).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING ${this.#returning()}`,
    );
    const params = columns.map((c) => this.#encode(executor, c, values[c.field]));
    const { rows } = await executor.query(text, params, { name: `${this.#d.statement}_insert_${mask}` });
    return this.#decode(executor, rows[0]);
  }

  /**
   * Inserts all rows in one statement (one round trip), in order. A column some rows leave out gets its default:
   * `DEFAULT` on PostgreSQL; on SQLite, which has no `DEFAULT` inside `VALUES`, the column's SQLite default
   * expression from the descriptor (the same one the emitted schema declares), else NULL.
   * @throws ValidationError when the rows need more parameters than the dialect binds (65535 PostgreSQL, 32766 SQLite).
   */
  async insertMany(executor: Executor, rows: readonly Record<string, unknown>[]): Promise<E[]> {
    if (rows.length === 0) return [];
    const columns = this.#d.columns.filter((c) => rows.some((r) => r[c.field] !== undefined));
    const limit = MAX_PARAMS[executor.dialect];
    const needed = rows.reduce((n, r) => n + columns.filter((c) => r[c.field] !== undefined).length, 0);
    if (needed > limit) {
      throw new ValidationError(`${this.#d.entity}: too many rows for one statement`, [
        { path: [], message: `${rows.length} rows x ${columns.length} columns need ${needed} parameters, over the ${executor.dialect} limit of ${limit}`, code: 'too_big' },
      ]);
    }
    if (columns.length === 0) return Promise.all(rows.map((r) => this.insert(executor, r)));
    const defaultOf = (c: ColumnDescriptor) => (executor.dialect === 'postgres' ? 'DEFAULT' : c.sqliteDefault ?? 'NULL');
    const params: unknown[] = [];
    const tuples = rows.map((r) => {
      const cells = columns.map((c) => {
        if (r[c.field] === undefined) return defaultOf(c);
        params.push(this.#encode(executor, c, r[c.field]));
        return `$${params.length}`;
      });
      return `(${cells.join(', ')})`;
    });
    const text = `INSERT INTO ${this.#d.sqlName} (${columns.map((c) => c.sql).join(', ')}) VALUES ${tuples.join(', ')} RETURNING ${this.#returning()}`;
    const result = await executor.query(text, params);
    return result.rows.map((row) => this.#decode(executor, row));
  }

  /**
   * Sets the fields present in `patch` (and the updated_at column) on the row with this key.
   * @throws NotFoundError when no row has this key.
   */
  async update(executor: Executor, id: unknown, patch: Record<string, unknown>): Promise<E> {
    const { columns, mask } = this.#present(patch);
    const stamp = this.#d.updatedAt && patch[this.#d.updatedAt] === undefined ? this.#column(this.#d.updatedAt) : undefined;
    if (columns.length === 0 && !stamp) return this.getOrThrow(executor, id);
    const text = this.#statement(`update:${mask}`, () => {
      const sets = columns.map((c, i) => `${c.sql} = $${i + 2}`);
      if (stamp) sets.push(`${stamp.sql} = CURRENT_TIMESTAMP`);
      return `UPDATE ${this.#d.sqlName} SET ${sets.join(', ')} WHERE ${this.#key.sql} = $1 RETURNING ${this.#returning()}`;
    });
    const params = [this.#encode(executor, this.#key, id), ...columns.map((c) => this.#encode(executor, c, patch[c.field]))];
    const { rows } = await executor.query(text, params, { name: `${this.#d.statement}_update_${mask}` });
    if (rows.length === 0) throw new NotFoundError(this.#d.entity, id);
    return this.#decode(executor, rows[0]);
  }

  /**
   * Inserts, or on a conflict on the unique key `keyName` updates the other given fields (and updated_at). The
   * primary key and created_at are never updated: upserting on `email` with another `id` keeps the row's own id.
   * @throws ValidationError when a field of that key is missing from `values`.
   */
  async upsert(executor: Executor, values: Record<string, unknown>, keyName: string): Promise<E> {
    const keyFields = this.#d.uniqueKeys[keyName];
    if (!keyFields) throw new Error(`${this.#d.entity} has no unique key ${keyName}`);
    const missing = keyFields.filter((f) => values[f] === undefined || values[f] === null);
    if (missing.length > 0) {
      throw new ValidationError(`${this.#d.entity}.upsert: the conflict key ${keyName} needs ${missing.join(', ')}`, missing.map((f) => ({ path: [f], message: `required to upsert on ${keyName}`, code: 'invalid_type' })));
    }
    const { columns, mask } = this.#present(values);
    const text = this.#statement(`upsert:${keyName}:${mask}`, () => {
      const target = keyFields.map((f) => this.#column(f));
      const kept = [...target, this.#key, ...(this.#d.createdAt ? [this.#column(this.#d.createdAt)] : [])];
      const sets = columns.filter((c) => !kept.includes(c)).map((c) => `${c.sql} = EXCLUDED.${c.sql}`);
      if (this.#d.updatedAt && values[this.#d.updatedAt] === undefined) sets.push(`${this.#column(this.#d.updatedAt).sql} = CURRENT_TIMESTAMP`);
      // With nothing else to set, still "update" so that RETURNING yields the existing row.
      if (sets.length === 0) sets.push(`${target[0].sql} = EXCLUDED.${target[0].sql}`);
      return (
        `INSERT INTO ${this.#d.sqlName} (${columns.map((c) => c.sql).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})` +
        ` ON CONFLICT (${target.map((c) => c.sql).join(', ')}) DO UPDATE SET ${sets.join(', ')} RETURNING ${this.#returning()}`
      );
    });
    const params = columns.map((c) => this.#encode(executor, c, values[c.field]));
    const { rows } = await executor.query(text, params, { name: `${this.#d.statement}_upsert_${keyName.toLowerCase()}_${mask}` });
    return this.#decode(executor, rows[0]);
  }

  /** Resolves to true when a row was deleted, false when none had this key. */
  async delete(executor: Executor, id: unknown): Promise<boolean> {
    const text = this.#statement('delete', () => `DELETE FROM ${this.#d.sqlName} WHERE ${this.#key.sql} = $1`);
    const { rowCount } = await executor.query(text, [this.#encode(executor, this.#key, id)], { name: `${this.#d.statement}_delete` });
    return rowCount > 0;
  }
}
