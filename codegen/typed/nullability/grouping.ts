/**
 * GROUP BY ROLLUP / CUBE / GROUPING SETS: the rows they add hold NULL in every grouping key left out of their
 * set, whatever the key's own nullability (a literal, `coalesce(x, 'none')`, ...). PostgreSQL matches a key
 * to the output by expression equality; the rules compare a normalized form that equates more than
 * PostgreSQL does (casts dropped, names unqualified), so a key is never missed.
 */
import { names, nodeOf, type PgNode } from './parse.js';

function literal(f: any): string {
  const value = f.ival ?? f.fval ?? f.sval ?? f.bsval ?? f.boolval ?? {};
  // libpg-query leaves out zero values: `{ ival: {} }` is 0, `{ boolval: {} }` is false.
  return String(Object.values(value)[0] ?? 0);
}

function normalized(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalized);
  if (node === null || typeof node !== 'object') return node;
  const [kind, f] = nodeOf(node as PgNode);
  switch (kind) {
    case 'TypeCast':
    case 'CollateClause':
      return normalized(f.arg);
    case 'ColumnRef':
      return { ColumnRef: names(f.fields).at(-1) };
    case 'A_Const':
      return { A_Const: f.isnull ? null : literal(f) };
    case 'FuncCall':
      return { FuncCall: normalized({ ...f, funcname: names(f.funcname).at(-1) }) };
    case 'A_Expr':
      return { A_Expr: normalized({ ...f, name: names(f.name).at(-1) }) };
    default:
      return Object.fromEntries(Object.entries(node).filter(([k]) => k !== 'location').map(([k, v]) => [k, normalized(v)]));
  }
}

/** A string equal for expressions PostgreSQL may take for the same grouping key. */
export function expressionKey(node: PgNode): string {
  return JSON.stringify(normalized(node));
}

/** The expressions inside grouping sets (through `(a, b)` rows and nested sets). */
function members(node: PgNode): PgNode[] {
  const [kind, f] = nodeOf(node);
  if (kind === 'GroupingSet') return ((f.content ?? []) as PgNode[]).flatMap(members);
  if (kind === 'RowExpr') return (f.args as PgNode[]).flatMap(members);
  return [node];
}

/**
 * Keys of the expressions some grouping set leaves out (empty without grouping sets). A key is the GROUP BY
 * expression itself, and the output expression it names by position (`ROLLUP (1)`) or by output name.
 */
export function rolledUpKeys(groupClause: PgNode[] | undefined, targetList: PgNode[] | undefined): Set<string> {
  const targets = ((targetList ?? []) as PgNode[]).map((t) => nodeOf(t)[1]);
  const keysOf = (node: PgNode): string[] => {
    const [kind, f] = nodeOf(node);
    const keys = [expressionKey(node)];
    if (kind === 'A_Const' && f.ival) {
      const target = targets[Number(literal(f)) - 1];
      if (target) keys.push(expressionKey(target.val));
    }
    if (kind === 'ColumnRef' && f.fields.length === 1) {
      for (const t of targets) if (t.name !== undefined && t.name === names(f.fields)[0]) keys.push(expressionKey(t.val));
    }
    return keys;
  };
  // Every member counts, even one that is also a plain GROUP BY item (then in every set): the loose
  // equality could take another expression for it.
  const sets = (groupClause ?? []).filter((g) => nodeOf(g)[0] === 'GroupingSet');
  return new Set(sets.flatMap(members).flatMap(keysOf));
}
