import type { ColumnType } from '../executor.js';

/**
 * What generated code tells the runtime about a table and its columns, from the catalog at codegen. These are the
 * only source of identifiers in the runtime's SQL.
 */

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
