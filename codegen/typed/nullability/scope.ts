/**
 * Name resolution for the nullability rules: the relations of a FROM clause (entries), what they are
 * visible as (items, after PostgreSQL's namespace rules for joins), and the state the join and WHERE rules
 * change: on the nullable side of an outer join, proved present, columns proved non-null.
 */
import type { Catalog, Table } from '../../catalog/types.js';

/** Whether a value may be NULL and the rule that decided it. */
export interface Verdict {
  nullable: boolean;
  rule: string;
  /** `schema.table.column` when the value is that column, unchanged (checked against the database's origin). */
  origin?: string;
  /**
   * A column of a relation the catalog does not describe: the database's own NOT NULL decides it, but only
   * when the database reports this very column as the origin.
   */
  fromDatabase?: ExternalColumn;
}

/** A column of a table or view outside the catalog; `schema` is absent when the query leaves it to search_path. */
export interface ExternalColumn {
  schema?: string;
  table: string;
  column: string;
}

/** One output column of a query, CTE or subquery. */
export interface Output {
  name: string;
  verdict: Verdict;
  /** Expanded from `*`: its name is the column's, whatever PostgreSQL would print. */
  star?: boolean;
}

/** A relation of FROM: a table, CTE, subquery or function. */
export interface Entry {
  label: string;
  /** Undefined when the columns are unknown (a relation outside the catalog, a function without a column list). */
  columns: Output[] | undefined;
  /** A table or view outside the catalog: the database's own NOT NULL of its columns may decide them. */
  external?: Omit<ExternalColumn, 'column'>;
  /** Why the relation may be NULL-extended (the rule), when it is on the nullable side of an outer join. */
  outer?: string;
  /** Why the relation is known to be there after all (a NULL-rejecting predicate on one of its columns). */
  present?: string;
  /** Columns proved non-null by a predicate, with the rule. */
  nonNull: Map<string, string>;
}

export type JoinType = 'JOIN_INNER' | 'JOIN_LEFT' | 'JOIN_RIGHT' | 'JOIN_FULL';

/** What a column name in an expression stands for. */
export type ColRef =
  | { kind: 'slot'; entry: Entry; name: string }
  | { kind: 'merged'; join: JoinType; name: string; left: ColRef; right: ColRef };

/** A FROM item as name resolution sees it (a relation, or a join with or without alias). */
export interface Item {
  name?: string;
  /** Qualified references (`t.col`) may use it. */
  relVisible: boolean;
  /** Unqualified references (`col`) and `*` may use it. */
  colsVisible: boolean;
  /** Undefined when unknown; otherwise in `*` order. */
  columns: { name: string; ref: ColRef }[] | undefined;
  /** The relation itself, for items that are one. */
  entry?: Entry;
}

export interface Scope {
  items: Item[];
  /** CTEs by name; undefined columns when the rules could not work them out. */
  ctes: Map<string, Output[] | undefined>;
  parent?: Scope;
  /** Keys (`expressionKey`) of the GROUP BY expressions that grouping sets replace with NULL in some rows. */
  rolledUp?: ReadonlySet<string>;
}

export interface Context {
  catalog: Catalog;
  /** `$n` of `:param!` parameters: pgtyped rejects null and undefined for them. */
  requiredParams: ReadonlySet<number>;
}

export const unknown = (rule: string): Verdict => ({ nullable: true, rule });

export function childScope(parent: Scope | undefined): Scope {
  return { items: [], ctes: new Map(), parent };
}

/** The catalog table a FROM name stands for: schema-qualified, else in `public` (the default search_path). */
export function findTable(catalog: Catalog, schema: string | undefined, name: string): Table | undefined {
  return catalog.tables.find((t) => t.name === name && t.schema === (schema ?? 'public'));
}

export function tableEntry(table: Table, label: string): Entry {
  const columns = table.columns.map((c): Output => {
    const origin = `${table.schema}.${table.name}.${c.name}`;
    return { name: c.name, verdict: { nullable: !c.notNull, rule: c.notNull ? `${origin} is NOT NULL` : `${origin} is nullable`, origin } };
  });
  return { label, columns, nonNull: new Map() };
}

export function leafItem(entry: Entry, name: string): Item {
  return { name, relVisible: true, colsVisible: true, entry, columns: entry.columns?.map((c) => ({ name: c.name, ref: { kind: 'slot', entry, name: c.name } })) };
}

/** The nullability of what `ref` stands for, given the joins and predicates applied so far. */
export function verdictOf(ref: ColRef): Verdict {
  if (ref.kind === 'merged') {
    const [l, r] = [verdictOf(ref.left), verdictOf(ref.right)];
    if (ref.join === 'JOIN_RIGHT') return r;
    if (ref.join !== 'JOIN_FULL') return l;
    // FULL JOIN ... USING: COALESCE(left, right).
    if (!l.nullable) return l;
    if (!r.nullable) return r;
    return { nullable: true, rule: `USING column ${ref.name} of a FULL JOIN: both sides may be NULL` };
  }
  const { entry, name } = ref;
  if (entry.outer && !entry.present) return { nullable: true, rule: entry.outer };
  const column = entry.columns?.find((c) => c.name === name);
  const narrowed = entry.nonNull.get(name);
  if (narrowed) return { nullable: false, rule: narrowed, origin: column?.verdict.origin };
  if (!entry.columns) {
    return entry.external
      ? { nullable: true, rule: `column ${name} of ${entry.label}, which the catalog does not describe`, fromDatabase: { ...entry.external, column: name } }
      : unknown(`column ${name} of ${entry.label}, whose columns the rules could not work out`);
  }
  if (!column) return unknown(`no column ${name} in ${entry.label}`);
  if (!entry.present || !entry.outer) return column.verdict;
  // Present after an outer join: the relation's own nullability again.
  return { ...column.verdict, rule: `${column.verdict.rule} (${entry.present})` };
}

/** Records that `ref` is non-null; with `present`, also that its relation is not NULL-extended. */
export function narrowRef(ref: ColRef, rule: string, present: boolean): void {
  if (ref.kind === 'merged') {
    if (ref.join === 'JOIN_FULL') return;
    narrowRef(ref.join === 'JOIN_RIGHT' ? ref.right : ref.left, rule, present);
    return;
  }
  if (!ref.entry.nonNull.has(ref.name)) ref.entry.nonNull.set(ref.name, rule);
  if (present && !ref.entry.present) ref.entry.present = rule;
}

export interface Resolved {
  ref: ColRef;
  /** 0 for the scope searched first, 1 for its parent, ... (predicates only narrow their own level). */
  level: number;
  /**
   * An unqualified name given to the only relation of unknown columns in its scope, while an enclosing
   * query could supply it too: PostgreSQL takes the outer column when the relation has none of that name.
   */
  guessed?: boolean;
}

function lookup(item: Item, column: string): ColRef | undefined {
  if (item.columns) return item.columns.find((c) => c.name === column)?.ref;
  return item.entry ? { kind: 'slot', entry: item.entry, name: column } : undefined;
}

/** Resolves a ColumnRef's names (`col`, `t.col`, `s.t.col`); undefined when the rules cannot tell. */
export function resolve(fields: readonly string[], scope: Scope | undefined, level = 0): Resolved | undefined {
  if (!scope || fields.length === 0 || fields.includes('*')) return undefined;
  const column = fields[fields.length - 1];
  if (fields.length === 1) {
    const visible = scope.items.filter((i) => i.colsVisible);
    const known = visible.filter((i) => i.columns?.some((c) => c.name === column));
    const opaque = visible.filter((i) => !i.columns);
    if (known.length === 1 && opaque.length === 0) return { ref: lookup(known[0], column)!, level };
    if (known.length === 0 && opaque.length === 1 && opaque[0].entry) return { ref: lookup(opaque[0], column)!, level, guessed: suppliedAbove(column, scope.parent) };
    if (known.length === 0 && opaque.length === 0) return resolve(fields, scope.parent, level + 1);
    return undefined;
  }
  const rel = fields[fields.length - 2];
  const items = scope.items.filter((i) => i.relVisible && i.name === rel);
  if (items.length === 0) return resolve(fields, scope.parent, level + 1);
  const ref = items.length === 1 ? lookup(items[0], column) : undefined;
  return ref ? { ref, level } : undefined;
}

function suppliedAbove(column: string, scope: Scope | undefined): boolean {
  for (let s = scope; s; s = s.parent) if (s.items.some((i) => i.colsVisible && (!i.columns || i.columns.some((c) => c.name === column)))) return true;
  return false;
}

/** A CTE by name, searching enclosing queries too: undefined when there is none, `{ columns }` otherwise. */
export function findCte(scope: Scope | undefined, name: string): { columns: Output[] | undefined } | undefined {
  for (let s = scope; s; s = s.parent) if (s.ctes.has(name)) return { columns: s.ctes.get(name) };
  return undefined;
}
