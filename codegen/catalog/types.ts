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
  /** True for `GENERATED ALWAYS AS (...) STORED` columns: never written. */
  generated: boolean;
}

export interface UniqueConstraint {
  name: string;
  columns: string[];
}

export interface ForeignKey {
  name: string;
  columns: string[];
  references: { schema: string; table: string; columns: string[] };
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
