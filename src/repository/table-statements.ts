import type { ColumnDescriptor, TableDescriptor } from './descriptors.js';

/** The columns a call sets, in column order, and a name for that set (it names the statement too). */
export interface PresentColumns {
  columns: ColumnDescriptor[];
  mask: string;
}

/** `$1, $2, …, $count` */
function placeholders(count: number): string {
  return Array.from({ length: count }, (_, i) => `$${i + 1}`).join(', ');
}

/** ` WHERE a AND b`, or nothing for no conditions. */
export function whereClause(conditions: readonly string[]): string {
  return conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
}

/**
 * The SQL text of one table's CRUD statements, from its descriptor only: identifiers as the descriptor spells them,
 * every value a `$n` parameter. A statement that depends on which columns a call sets is built once per set of
 * columns and kept under that set's mask. `Table` runs them.
 */
export class TableStatements {
  readonly #d: TableDescriptor;
  readonly #byField: ReadonlyMap<string, ColumnDescriptor>;
  readonly #built = new Map<string, string>();
  /** The primary key column. */
  readonly key: ColumnDescriptor;
  /** Every column, in descriptor order: the select list, and what each write returns. */
  readonly columns: string;
  readonly #select: string;
  /** get(id): the row whose key is `$1`. */
  readonly get: string;

  constructor(descriptor: TableDescriptor) {
    this.#d = descriptor;
    this.#byField = new Map(descriptor.columns.map((c) => [c.field, c]));
    this.key = this.column(descriptor.key);
    this.columns = descriptor.columns.map((c) => c.sql).join(', ');
    this.#select = `SELECT ${this.columns} FROM ${descriptor.sqlName}`;
    this.get = `${this.#select} WHERE ${this.key.sql} = $1`;
  }

  column(field: string): ColumnDescriptor {
    const c = this.#byField.get(field);
    if (!c) throw new Error(`${this.#d.sqlName} has no field ${field}`);
    return c;
  }

  /** Fields present in `values` (undefined counts as absent). */
  present(values: Record<string, unknown>): PresentColumns {
    const columns = this.#d.columns.filter((c) => values[c.field] !== undefined);
    let mask = 0n;
    for (const c of columns) mask |= 1n << BigInt(this.#d.columns.indexOf(c));
    return { columns, mask: mask.toString(36) };
  }

  /** The updated_at column, when the table has one and `values` leaves it out: update and upsert set it to now. */
  stamp(values: Record<string, unknown>): ColumnDescriptor | undefined {
    return this.#d.updatedAt && values[this.#d.updatedAt] === undefined ? this.column(this.#d.updatedAt) : undefined;
  }

  /** Statement text by cache key, built once. */
  #statement(key: string, build: () => string): string {
    let text = this.#built.get(key);
    if (text === undefined) {
      text = build();
      this.#built.set(key, text);
    }
    return text;
  }

  /** getMany on PostgreSQL: the keys as one array parameter. */
  getManyAny(): string {
    return this.#statement('getMany', () => `${this.#select} WHERE ${this.key.sql} = ANY($1)`);
  }

  /** getMany elsewhere: one parameter per key. */
  getManyIn(count: number): string {
    return `${this.#select} WHERE ${this.key.sql} IN (${placeholders(count)})`;
  }

  count(conditions: readonly string[]): string {
    return `SELECT count(*) AS count FROM ${this.#d.sqlName}${whereClause(conditions)}`;
  }

  /** Parameters: the present columns' values, in order. */
  insert({ columns, mask }: PresentColumns): string {
    return this.#statement(`insert:${mask}`, () =>
      columns.length === 0
        ? `INSERT INTO ${this.#d.sqlName} DEFAULT VALUES RETURNING ${this.columns}`
        : `INSERT INTO ${this.#d.sqlName} (${columns.map((c) => c.sql).join(', ')}) VALUES (${placeholders(columns.length)}) RETURNING ${this.columns}`,
    );
  }

  /** `tuples`: one `(…)` per row, of placeholders and defaults, in `columns` order. */
  insertMany(columns: readonly ColumnDescriptor[], tuples: readonly string[]): string {
    return `INSERT INTO ${this.#d.sqlName} (${columns.map((c) => c.sql).join(', ')}) VALUES ${tuples.join(', ')} RETURNING ${this.columns}`;
  }

  /** Parameters: the key, then the present columns' values. */
  update({ columns, mask }: PresentColumns, stamp: ColumnDescriptor | undefined): string {
    return this.#statement(`update:${mask}`, () => {
      const sets = columns.map((c, i) => `${c.sql} = $${i + 2}`);
      if (stamp) sets.push(`${stamp.sql} = CURRENT_TIMESTAMP`);
      return `UPDATE ${this.#d.sqlName} SET ${sets.join(', ')} WHERE ${this.key.sql} = $1 RETURNING ${this.columns}`;
    });
  }

  /**
   * Parameters: the present columns' values. On a conflict on the unique key `keyName` it sets the other present
   * columns, never the key or created_at.
   */
  upsert(keyName: string, { columns, mask }: PresentColumns, stamp: ColumnDescriptor | undefined): string {
    return this.#statement(`upsert:${keyName}:${mask}`, () => {
      const target = this.#d.uniqueKeys[keyName].map((f) => this.column(f));
      const kept = [...target, this.key, ...(this.#d.createdAt ? [this.column(this.#d.createdAt)] : [])];
      const sets = columns.filter((c) => !kept.includes(c)).map((c) => `${c.sql} = EXCLUDED.${c.sql}`);
      if (stamp) sets.push(`${stamp.sql} = CURRENT_TIMESTAMP`);
      // With nothing else to set, still "update" so that RETURNING yields the existing row.
      if (sets.length === 0) sets.push(`${target[0].sql} = EXCLUDED.${target[0].sql}`);
      return (
        `INSERT INTO ${this.#d.sqlName} (${columns.map((c) => c.sql).join(', ')}) VALUES (${placeholders(columns.length)})` +
        ` ON CONFLICT (${target.map((c) => c.sql).join(', ')}) DO UPDATE SET ${sets.join(', ')} RETURNING ${this.columns}`
      );
    });
  }

  delete(): string {
    return this.#statement('delete', () => `DELETE FROM ${this.#d.sqlName} WHERE ${this.key.sql} = $1`);
  }
}
