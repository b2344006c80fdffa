/**
 * The nullability rules applied to a whole statement: SELECT (with CTEs, set operations, VALUES, GROUP BY
 * grouping sets), and INSERT/UPDATE/DELETE ... RETURNING. Produces one verdict per output column, in
 * output order, `*` expanded.
 */
import type { Catalog } from '../../catalog/types.js';
import { exprVerdict } from './expr.js';
import { addFrom } from './from.js';
import { rolledUpKeys } from './grouping.js';
import { narrowBy } from './narrow.js';
import { names, nodeOf, parseStatement, type PgNode } from './parse.js';
import { childScope, findTable, leafItem, tableEntry, unknown, verdictOf, type Context, type ExternalColumn, type Output, type Scope, type Verdict } from './scope.js';

/** PostgreSQL's name for an output column without an alias, where it is easy to tell; else undefined. */
function outputName(node: PgNode): string | undefined {
  const [kind, f] = nodeOf(node);
  if (kind === 'ColumnRef') return names(f.fields).at(-1);
  if (kind === 'TypeCast' || kind === 'CollateClause') return outputName(f.arg);
  if (kind === 'FuncCall') return names(f.funcname).at(-1);
  return undefined;
}

/** `*` / `t.*` -> the columns of the items they stand for; undefined when unknown. */
function expandStar(fields: string[], scope: Scope): Output[] | undefined {
  const items = fields.length === 1 ? scope.items.filter((i) => i.colsVisible) : scope.items.filter((i) => i.relVisible && i.name === fields[fields.length - 2]);
  if (items.length === 0 || items.some((i) => !i.columns)) return undefined;
  return items.flatMap((i) => i.columns!.map((c) => ({ name: c.name, verdict: verdictOf(c.ref), star: true })));
}

/** A target or RETURNING list; undefined when a `*` cannot be expanded (the caller then decides nothing). */
function targets(list: PgNode[] | undefined, scope: Scope, ctx: Context): Output[] | undefined {
  const out: Output[] = [];
  for (const t of list ?? []) {
    const f = nodeOf(t)[1];
    const [kind, v] = nodeOf(f.val);
    const fields = kind === 'ColumnRef' ? names(v.fields) : [];
    if (fields.at(-1) === '*') {
      const expanded = expandStar(fields, scope);
      if (!expanded) return undefined;
      out.push(...expanded);
    } else {
      out.push({ name: f.name ?? outputName(f.val) ?? '?column?', verdict: exprVerdict(f.val, scope, ctx) });
    }
  }
  return out;
}

const isRecursive = (w: any): boolean => w?.recursive === true;

function withClause(w: any, scope: Scope, ctx: Context): void {
  for (const node of w?.ctes ?? []) {
    const cte = nodeOf(node)[1];
    // A recursive CTE refers to itself: unknown columns there, so its recursive branch decides nothing.
    const aliases = names(cte.aliascolnames);
    if (cte.cterecursive || isRecursive(w)) scope.ctes.set(cte.ctename, undefined);
    const columns = inferStatement(cte.ctequery, scope, ctx)?.map((c, i) => ({ name: aliases[i] ?? c.name, verdict: c.verdict }));
    scope.ctes.set(cte.ctename, columns);
  }
}

function setOperation(f: any, scope: Scope, ctx: Context): Output[] | undefined {
  const l = inferStatement({ SelectStmt: f.larg }, scope, ctx);
  const r = inferStatement({ SelectStmt: f.rarg }, scope, ctx);
  if (!l || !r || l.length !== r.length) return undefined;
  const op = String(f.op).replace('SETOP_', '');
  return l.map((c, i): Output => {
    const [a, b] = [c.verdict, r[i].verdict];
    let verdict: Verdict;
    if (op === 'UNION') verdict = a.nullable ? a : b.nullable ? b : { nullable: false, rule: 'every branch is non-null' };
    else if (op === 'INTERSECT') verdict = !a.nullable ? a : !b.nullable ? b : { nullable: true, rule: 'both branches are nullable' };
    else verdict = a;
    // Origins are dropped: a set operation's column is no single table column.
    return { name: c.name, verdict: { nullable: verdict.nullable, rule: `${op}: ${verdict.rule}` } };
  });
}

function select(f: any, scope: Scope, ctx: Context): Output[] | undefined {
  if (f.op && f.op !== 'SETOP_NONE') return setOperation(f, scope, ctx);
  if (f.valuesLists) {
    const rows = (f.valuesLists as PgNode[]).map((row) => (nodeOf(row)[1].items as PgNode[]).map((e) => exprVerdict(e, scope, ctx)));
    return rows[0].map((_, i) => {
      const bad = rows.find((r) => r[i].nullable);
      return { name: `column${i + 1}`, verdict: bad ? bad[i] : { nullable: false, rule: 'VALUES of non-null expressions' } };
    });
  }
  const entries = addFrom(f.fromClause, scope, ctx, inferStatement);
  narrowBy(f.whereClause, scope, 'WHERE');
  if ((f.groupClause ?? []).some((g: PgNode) => nodeOf(g)[0] === 'GroupingSet')) {
    for (const e of entries) {
      e.outer = 'GROUPING SETS / ROLLUP / CUBE put NULL in grouping columns';
      e.present = undefined;
    }
    scope.rolledUp = rolledUpKeys(f.groupClause, f.targetList);
  }
  return targets(f.targetList, scope, ctx);
}

/** INSERT/UPDATE/DELETE ... RETURNING: the stored row, so the catalog decides (no WHERE narrowing). */
function modification(f: any, scope: Scope, ctx: Context): Output[] | undefined {
  const rel = f.relation;
  const table = findTable(ctx.catalog, rel.schemaname, rel.relname);
  const name = rel.alias?.aliasname ?? rel.relname;
  const entry = table ? tableEntry(table, `${table.schema}.${table.name}`) : { label: rel.relname, columns: undefined, external: { schema: rel.schemaname, table: rel.relname }, nonNull: new Map() };
  scope.items.push(leafItem(entry, name));
  addFrom(f.fromClause ?? f.usingClause, scope, ctx, inferStatement);
  // PostgreSQL 18's parser wraps the list in a ReturningClause (for RETURNING OLD/NEW).
  return targets(f.returningClause?.exprs ?? f.returningList, scope, ctx);
}

/** Output columns of a statement in `parent`'s scope (a CTE or subquery sees enclosing queries). */
export function inferStatement(stmt: PgNode, parent: Scope | undefined, ctx: Context): Output[] | undefined {
  const [kind, f] = nodeOf(stmt);
  const scope = childScope(parent);
  withClause(f.withClause, scope, ctx);
  switch (kind) {
    case 'SelectStmt':
      return select(f, scope, ctx);
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
      return modification(f, scope, ctx);
    default:
      return undefined;
  }
}

/** What the database reports for one result column (pgtyped's `returnTypes[i]` and its origin). */
export interface Described {
  name: string;
  /** `schema.table.column` of the column the value comes from unchanged, when the database says so. */
  origin?: string;
  /** The origin column's NOT NULL as the database reports it (pgtyped's `nullable`). */
  originNullable?: boolean;
}

/** Whether the database's origin (`schema.table.column`) is the column the rules resolved the name to. */
function isOrigin(column: ExternalColumn, origin: string | undefined): origin is string {
  if (column.schema !== undefined) return origin === `${column.schema}.${column.table}.${column.column}`;
  return origin?.endsWith(`.${column.table}.${column.column}`) === true;
}

/**
 * One verdict per result column of `stmt`. Decides nothing (every column nullable, with the reason) when
 * the parse tree cannot be matched to the columns the database described.
 */
export function inferColumns(stmt: PgNode, described: readonly Described[], catalog: Catalog, requiredParams: ReadonlySet<number>): Verdict[] {
  const out = inferStatement(stmt, undefined, { catalog, requiredParams });
  const undecided = (why: string) => described.map(() => unknown(why));
  if (!out) return undecided('the statement has a part the rules do not analyse');
  if (out.length !== described.length) return undecided(`the parse tree has ${out.length} columns, the database ${described.length}`);
  return out.map((o, i) => {
    const d = described[i];
    if (o.name !== '?column?' && o.name !== d.name) return unknown(`the parse tree's column ${o.name} does not match the database's ${d.name}`);
    const v = o.verdict;
    if (v.origin && d.origin && v.origin !== d.origin) return unknown(`the rules traced ${v.origin}, the database reports ${d.origin}`);
    if (v.fromDatabase && v.nullable && d.originNullable === false) {
      if (isOrigin(v.fromDatabase, d.origin)) return { nullable: false, rule: `${d.origin} is NOT NULL (reported by the database)` };
      return unknown(`${v.rule}; the database's NOT NULL is of ${d.origin ?? 'another column'}, not this one`);
    }
    return { nullable: v.nullable, rule: v.rule };
  });
}

/**
 * Parses `sql` (the `$n` statement) with PostgreSQL's parser and decides each described column; when the
 * parser fails, every column is nullable with the parser's message as the rule.
 */
export async function inferNullability(sql: string, described: readonly Described[], catalog: Catalog, requiredParams: ReadonlySet<number>): Promise<Verdict[]> {
  const stmt = await parseStatement(sql);
  if (typeof stmt === 'string') return described.map(() => unknown(`PostgreSQL's parser (libpg-query) failed: ${stmt}`));
  return inferColumns(stmt, described, catalog, requiredParams);
}
