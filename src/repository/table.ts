import type { Executor, QueryOptions, ValueCodec } from '../executor.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { DEFAULT_LIMIT, pageOf, pageQuery, type ListOptions, type Page, type PageRequest } from '../keyset.js';
import type { ColumnDescriptor, TableDescriptor } from './descriptors.js';
import { compileRowDecoder, type RowDecoder } from './row-decoder.js';
import { TableStatements } from './table-statements.js';

/** Bind parameters per statement: PostgreSQL's limit, and SQLite's (SQLITE_MAX_VARIABLE_NUMBER). */
const MAX_PARAMS = { postgres: 65535, sqlite: 32766 } as const;

/**
 * The CRUD statements of one table; generated repositories hold one per table and pass their executor. It encodes
 * each value with the executor's codec, runs the statement (text from `TableStatements`) and decodes the rows.
 */
export class Table<E> {
  readonly #d: TableDescriptor;
  readonly #sql: TableStatements;
  readonly #key: ColumnDescriptor;
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
    this.#sql = new TableStatements(descriptor);
    this.#key = this.#sql.key;
    this.#getText = this.#sql.get;
    this.#getOptions = { name: `${descriptor.statement}_get` };
    this.#getNowOptions = { name: this.#getOptions.name, rowMode: 'array', singleRow: true };
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
      const param = executor.codec.encode(unique, { ...this.#key.type, array: true });
      result = await executor.query(this.#sql.getManyAny(), [param], { name: `${this.#d.statement}_get_many` });
    } else {
      result = await executor.query(this.#sql.getManyIn(unique.length), unique.map((id) => this.#encode(executor, this.#key, id)));
    }
    const byKey = new Map<unknown, E>();
    for (const row of result.rows) {
      const entity = this.#decode(executor, row);
      byKey.set((entity as Record<string, unknown>)[this.#key.field], entity);
    }
    return unique.flatMap((id) => (byKey.has(id) ? [byKey.get(id)!] : []));
  }

  /** Equality conditions for the fields `where` sets (`IS NULL` for null), their values appended to `params`. */
  #where(executor: Executor, where: Record<string, unknown> | undefined, params: unknown[]): string[] {
    const conditions: string[] = [];
    for (const c of this.#sql.present(where ?? {}).columns) {
      const value = where![c.field];
      if (value === null) conditions.push(`${c.sql} IS NULL`);
      else {
        params.push(this.#encode(executor, c, value));
        conditions.push(`${c.sql} = $${params.length}`);
      }
    }
    return conditions;
  }

  /** One page in keyset order (src/keyset.ts): `(sort column, key)` strictly after the cursor. */
  async list(executor: Executor, options: ListOptions<Record<string, unknown>, string> = {}): Promise<Page<E>> {
    const request: PageRequest = {
      from: this.#d.sqlName,
      columns: this.#sql.columns,
      sort: this.#sql.column(options.orderBy?.field ?? this.#key.field),
      key: this.#key,
      direction: options.orderBy?.direction ?? 'asc',
      after: options.after,
      limit: options.limit ?? DEFAULT_LIMIT,
    };
    const params: unknown[] = [];
    const conditions = this.#where(executor, options.where, params);
    const { rows } = await executor.query(pageQuery(request, conditions, params, executor.codec), params);
    const page = pageOf(request, rows);
    return { rows: page.rows.map((row) => this.#decode(executor, row)), next: page.next };
  }

  async count(executor: Executor, where?: Record<string, unknown>): Promise<number> {
    const params: unknown[] = [];
    const conditions = this.#where(executor, where, params);
    const { rows } = await executor.query<{ count: string | number }>(this.#sql.count(conditions), params);
    return Number(rows[0].count);
  }

  async insert(executor: Executor, values: Record<string, unknown>): Promise<E> {
    const present = this.#sql.present(values);
    const params = present.columns.map((c) => this.#encode(executor, c, values[c.field]));
    const { rows } = await executor.query(this.#sql.insert(present), params, { name: `${this.#d.statement}_insert_${present.mask}` });
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
    const result = await executor.query(this.#sql.insertMany(columns, tuples), params);
    return result.rows.map((row) => this.#decode(executor, row));
  }

  /**
   * Sets the fields present in `patch` (and the updated_at column) on the row with this key.
   * @throws NotFoundError when no row has this key.
   */
  async update(executor: Executor, id: unknown, patch: Record<string, unknown>): Promise<E> {
    const present = this.#sql.present(patch);
    const stamp = this.#sql.stamp(patch);
    if (present.columns.length === 0 && !stamp) return this.getOrThrow(executor, id);
    const params = [this.#encode(executor, this.#key, id), ...present.columns.map((c) => this.#encode(executor, c, patch[c.field]))];
    const { rows } = await executor.query(this.#sql.update(present, stamp), params, { name: `${this.#d.statement}_update_${present.mask}` });
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
    const present = this.#sql.present(values);
    const text = this.#sql.upsert(keyName, present, this.#sql.stamp(values));
    const params = present.columns.map((c) => this.#encode(executor, c, values[c.field]));
    const { rows } = await executor.query(text, params, { name: `${this.#d.statement}_upsert_${keyName.toLowerCase()}_${present.mask}` });
    return this.#decode(executor, rows[0]);
  }

  /** Resolves to true when a row was deleted, false when none had this key. */
  async delete(executor: Executor, id: unknown): Promise<boolean> {
    const { rowCount } = await executor.query(this.#sql.delete(), [this.#encode(executor, this.#key, id)], { name: `${this.#d.statement}_delete` });
    return rowCount > 0;
  }
}
