/** The database schema as codegen sees it: plain data read from pg_catalog, ordered deterministically. */

/** A column's type: a base type by its `pg_type.typname`, or an enum; either possibly a 1-d array. */
export type PgType =
  | { kind: 'base'; name: string; array: boolean }
  | { kind: 'enum'; schema: string; name: string; array: boolean }
  | { kind: 'other'; schema: string; name: string; array: boolean; typtype: string };

export interface Column {
  name: string;
  /** The name as SQL must spell it (`quote_ident`). */
  sqlName: string;
  /** 1-based position in the table. */
  position: number;
  type: PgType;
  notNull: boolean;
  /** The default expression (`pg_get_expr`), when there is one. */
  defaultExpr?: string;
  /** `a` (GENERATED ALWAYS AS IDENTITY), `d` (BY DEFAULT), or absent. */
  identity?: 'a' | 'd';
  /** True for `GENERATED ALWAYS AS (...) STORED` columns: never written. `defaultExpr` is then the expression. */
  generated: boolean;
  /** `varchar(n)` / `char(n)`: n. */
  length?: number;
  /** `numeric(p, s)`: precision and scale (absent for an unconstrained numeric). */
  numeric?: { precision: number; scale: number };
}

export interface UniqueConstraint {
  name: string;
  columns: string[];
}

export interface ForeignKey {
  name: string;
  columns: string[];
  references: { schema: string; table: string; columns: string[] };
  /** `ON DELETE` / `ON UPDATE` actions other than the default NO ACTION. */
  onDelete?: ForeignKeyAction;
  onUpdate?: ForeignKeyAction;
}

export type ForeignKeyAction = 'CASCADE' | 'RESTRICT' | 'SET NULL' | 'SET DEFAULT';

/** A CHECK constraint: `pg_get_constraintdef`'s text without the leading `CHECK `. */
export interface CheckConstraint {
  name: string;
  expression: string;
}

/** An index that backs no constraint (those are `primaryKey`/`uniques`). */
export interface Index {
  name: string;
  unique: boolean;
  /** The access method (`btree`, `gin`, ...). */
  method: string;
  /** Key parts in order: a column name or an expression (`pg_get_indexdef` of each key). */
  keys: { expression: string; column: boolean; descending: boolean }[];
  /** The predicate of a partial index (`pg_get_expr`). */
  where?: string;
}

/** A trigger on a table (not an internal one), with its function's language and source. */
export interface Trigger {
  name: string;
  timing: 'BEFORE' | 'AFTER' | 'INSTEAD OF';
  events: ('INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE')[];
  forEachRow: boolean;
  /** Has a `WHEN (...)` condition or `UPDATE OF` columns. */
  conditional: boolean;
  /** `schema.name` of the function. */
  function: string;
  language: string;
  source: string;
}

export interface Table {
  schema: string;
  name: string;
  /** `schema.table`, quoted as needed. */
  sqlName: string;
  columns: Column[];
  primaryKey: string[];
  uniques: UniqueConstraint[];
  foreignKeys: ForeignKey[];
  /** CHECK constraints, by name. Optional: hand-built catalogs (tests) may leave these out. */
  checks?: CheckConstraint[];
  indexes?: Index[];
  triggers?: Trigger[];
}

export interface Enum {
  schema: string;
  name: string;
  /** In declaration order (`pg_enum.enumsortorder`). */
  values: string[];
}

export interface Catalog {
  schemas: string[];
  tables: Table[];
  enums: Enum[];
}
