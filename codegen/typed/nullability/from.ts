/**
 * FROM clauses: each item becomes entries (relations) and items (what names see), following PostgreSQL's
 * namespace rules; outer joins put the entries of their nullable side(s) under `outer`, inner joins' ON
 * and USING narrow what they compare, LEFT and RIGHT joins' ON what their nullable side compares.
 */
import { narrowBy } from './narrow.js';
import { names, nodeOf, type PgNode } from './parse.js';
import { findCte, findTable, leafItem, narrowRef, tableEntry, type ColRef, type Context, type Entry, type Item, type JoinType, type Output, type Scope } from './scope.js';

/** Infers a subquery's output columns; `infer.ts` passes itself in. */
export type SubqueryInference = (stmt: PgNode, scope: Scope, ctx: Context) => Output[] | undefined;

interface Built {
  /** The item unqualified names and `*` see. */
  top: Item;
  /** Every item, the top one included. */
  items: Item[];
  entries: Entry[];
}

const JOIN_NAMES: Record<string, string> = { JOIN_LEFT: 'LEFT JOIN', JOIN_RIGHT: 'RIGHT JOIN', JOIN_FULL: 'FULL JOIN' };

function renamed(columns: Output[] | undefined, alias: any): Output[] | undefined {
  const colnames = names(alias?.colnames);
  if (!columns || colnames.length === 0) return columns;
  return columns.map((c, i) => (i < colnames.length ? { ...c, name: colnames[i] } : c));
}

function leaf(entry: Entry, name: string): Built {
  const item = leafItem(entry, name);
  return { top: item, items: [item], entries: [entry] };
}

function relation(f: any, scope: Scope, ctx: Context): Built {
  const name: string = f.alias?.aliasname ?? f.relname;
  const cte = f.schemaname ? undefined : findCte(scope, f.relname);
  if (cte) return leaf({ label: `CTE ${f.relname}`, columns: renamed(cte.columns, f.alias), nonNull: new Map() }, name);
  const table = findTable(ctx.catalog, f.schemaname, f.relname);
  if (!table) return leaf({ label: f.schemaname ? `${f.schemaname}.${f.relname}` : f.relname, columns: undefined, external: { schema: f.schemaname, table: f.relname }, nonNull: new Map() }, name);
  const entry = tableEntry(table, name === table.name ? `${table.schema}.${table.name}` : `${name} (${table.schema}.${table.name})`);
  return leaf({ ...entry, columns: renamed(entry.columns, f.alias) }, name);
}

function join(f: any, scope: Scope, ctx: Context, infer: SubqueryInference): Built {
  const left = fromItem(f.larg, scope, ctx, infer);
  // LATERAL items on the right may refer to the left side.
  const lateral: Scope = { items: [...scope.items, ...left.items], ctes: new Map(), parent: scope.parent };
  lateral.ctes = scope.ctes;
  const right = fromItem(f.rarg, lateral, ctx, infer);
  const type = f.jointype as JoinType;
  const [lc, rc] = [left.top.columns, right.top.columns];
  let using = names(f.usingClause);
  if (f.isNatural) using = lc && rc ? lc.filter((c) => rc.some((r) => r.name === c.name)).map((c) => c.name) : [];

  let columns: Item['columns'];
  if (lc && rc) {
    const merged = using.map((name) => {
      const l = lc.find((c) => c.name === name)!.ref;
      const r = rc.find((c) => c.name === name)!.ref;
      return { name, ref: { kind: 'merged', join: type, name, left: l, right: r } as ColRef };
    });
    columns = [...merged, ...lc.filter((c) => !using.includes(c.name)), ...rc.filter((c) => !using.includes(c.name))];
  }

  const outerSides = type === 'JOIN_LEFT' ? [right] : type === 'JOIN_RIGHT' ? [left] : type === 'JOIN_FULL' ? [left, right] : [];
  for (const side of outerSides) {
    for (const entry of side.entries) {
      entry.outer = `${entry.label} is on the nullable side of a ${JOIN_NAMES[type]}`;
      entry.present = undefined;
    }
  }
  const alias = f.alias?.aliasname as string | undefined;
  const top: Item = { name: alias, relVisible: alias !== undefined, colsVisible: true, columns };
  if (columns && f.alias?.colnames) top.columns = columns.map((c, i) => ({ ...c, name: names(f.alias.colnames)[i] ?? c.name }));
  const components = [...left.items, ...right.items].map((i) => ({ ...i, colsVisible: false, relVisible: i.relVisible && alias === undefined }));
  const built: Built = { top, items: [top, ...components], entries: [...left.entries, ...right.entries] };

  // Narrowing sees the join's own names (and outer levels through `lateral.parent`).
  const own: Scope = { items: [...scope.items, ...left.items, ...right.items, { ...top, relVisible: false }], ctes: scope.ctes, parent: scope.parent };
  if (type === 'JOIN_INNER') {
    for (const c of columns ?? []) if (using.includes(c.name) && c.ref.kind === 'merged') {
      narrowRef(c.ref.left, `${c.name} is non-null after JOIN ... USING (${c.name})`, true);
      narrowRef(c.ref.right, `${c.name} is non-null after JOIN ... USING (${c.name})`, true);
    }
    narrowBy(f.quals, own, 'the inner join condition');
  } else if (type !== 'JOIN_FULL') {
    // The nullable side's row is there only when it matched, so once proved present it satisfies ON.
    // Not so in a FULL JOIN, where a side's row is there (not NULL-extended) also when unmatched.
    narrowBy(f.quals, own, `the ${JOIN_NAMES[type]} condition, when matched`, new Set(outerSides.flatMap((s) => s.entries)));
  }
  return built;
}

function fromItem(node: PgNode, scope: Scope, ctx: Context, infer: SubqueryInference): Built {
  const [kind, f] = nodeOf(node);
  switch (kind) {
    case 'RangeVar':
      return relation(f, scope, ctx);
    case 'JoinExpr':
      return join(f, scope, ctx, infer);
    case 'RangeSubselect': {
      const name = f.alias?.aliasname ?? 'subquery';
      const columns = renamed(infer(f.subquery, scope, ctx), f.alias);
      return leaf({ label: `subquery ${name}`, columns, nonNull: new Map() }, name);
    }
    case 'RangeFunction': {
      const fn = names(nodeOf(nodeOf(f.functions?.[0])[1]?.items?.[0])[1]?.funcname).at(-1) ?? 'function';
      const name = f.alias?.aliasname ?? fn;
      const colnames = names(f.alias?.colnames);
      const columns = colnames.length > 0 ? colnames.map((c) => ({ name: c, verdict: { nullable: true, rule: `column ${c} of function ${fn}() is not analysed` } })) : undefined;
      return leaf({ label: `function ${fn}()`, columns, nonNull: new Map() }, name);
    }
    default:
      return leaf({ label: `${kind} in FROM`, columns: undefined, nonNull: new Map() }, kind);
  }
}

/** Adds the items of a FROM list (comma-separated items are inner joins without condition) to `scope`. */
export function addFrom(from: PgNode[] | undefined, scope: Scope, ctx: Context, infer: SubqueryInference): Entry[] {
  const entries: Entry[] = [];
  for (const node of from ?? []) {
    const built = fromItem(node, scope, ctx, infer);
    scope.items.push(...built.items);
    entries.push(...built.entries);
  }
  return entries;
}
