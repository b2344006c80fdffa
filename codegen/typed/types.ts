import type { PgType } from '../catalog/types.js';

export interface QueryParam {
  /** As written in the query (`:ownerId!` -> `ownerId`). */
  name: string;
  /** `$n` in `text`. */
  index: number;
  /** `:name!`: null and undefined are rejected. */
  required: boolean;
  type: PgType;
}

export interface ResultColumn {
  /** The key rows carry: the name as returned, suffix included (`total!`). */
  key: string;
  /** The column name with any `!`/`?` suffix stripped. */
  name: string;
  nullable: boolean;
  type: PgType;
}

/** A named query from sql/queries, typed against the database. */
export interface TypedQuery {
  /** Path as given to codegen, e.g. `sql/queries/users.sql`. */
  file: string;
  /** The `@name`. */
  name: string;
  /** Where the statement starts, `file:line:col`, for problems found after typing. */
  at?: string;
  /** The statement with `$1..$n` placeholders. */
  text: string;
  params: QueryParam[];
  columns: ResultColumn[];
  /** Why each column is nullable or not (the rule that decided it), parallel to `columns`. */
  nullabilityRules?: string[];
}

export interface QueryFile {
  /** Path for messages and headers, relative to the project. */
  path: string;
  text: string;
}
