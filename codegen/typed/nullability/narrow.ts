/**
 * NULL-rejecting predicates: a row passes `WHERE x = $1` (or `x IS NOT NULL`, `x < y`, `x LIKE p`, ...)
 * only when x is not NULL, so after the WHERE (or an inner join's ON) x is non-null, and x's relation
 * is not NULL-extended. Only top-level AND conjuncts count; OR, NOT (except `NOT col`) and anything
 * else narrow nothing, which is sound.
 */
import { names, nodeOf, type PgNode } from './parse.js';
import { narrowRef, resolve, type ColRef, type Entry, type Scope } from './scope.js';

/** Built-in comparison operators: strict, so a NULL operand gives NULL, which WHERE and ON reject. */
const REJECTING_OPS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=', '~~', '!~~', '~~*', '!~~*', '~', '~*', '!~', '!~*']);
/** Strict operators: the result is NULL iff an operand is (not `||`: array concatenation skips NULLs). */
export const STRICT_OPS = new Set([...REJECTING_OPS, '+', '-', '*', '/', '%', '^']);

export function conjuncts(node: PgNode | undefined): PgNode[] {
  const [kind, f] = nodeOf(node);
  if (!node) return [];
  if (kind === 'BoolExpr' && f.boolop === 'AND_EXPR') return (f.args as PgNode[]).flatMap(conjuncts);
  return [node];
}

/** Column references whose NULL would make `node` NULL (through casts and strict operators). */
function strictColumns(node: PgNode | undefined): string[][] {
  const [kind, f] = nodeOf(node);
  if (kind === 'ColumnRef') return [names(f.fields)];
  if (kind === 'TypeCast') return strictColumns(f.arg);
  if (kind === 'CollateClause') return strictColumns(f.arg);
  if (kind === 'A_Expr' && f.kind === 'AEXPR_OP' && STRICT_OPS.has(names(f.name).at(-1) ?? '')) return [...strictColumns(f.lexpr), ...strictColumns(f.rexpr)];
  return [];
}

/** Columns a passing row must have non-null, with a short description of the predicate. */
function rejected(node: PgNode): { columns: string[][]; what: string } {
  const [kind, f] = nodeOf(node);
  switch (kind) {
    case 'NullTest':
      return f.nulltesttype === 'IS_NOT_NULL' ? { columns: strictColumns(f.arg), what: 'IS NOT NULL' } : { columns: [], what: '' };
    case 'BooleanTest':
      return ['IS_TRUE', 'IS_FALSE'].includes(f.booltesttype) ? { columns: strictColumns(f.arg), what: f.booltesttype.replace('_', ' ') } : { columns: [], what: '' };
    case 'ColumnRef':
      return { columns: strictColumns(node), what: 'a boolean condition' };
    case 'BoolExpr':
      return f.boolop === 'NOT_EXPR' ? { columns: strictColumns(f.args[0]), what: 'NOT' } : { columns: [], what: '' };
    case 'A_Expr': {
      const op = names(f.name).at(-1) ?? '';
      if (f.kind === 'AEXPR_OP' && REJECTING_OPS.has(op)) return { columns: [...strictColumns(f.lexpr), ...strictColumns(f.rexpr)], what: op };
      if (['AEXPR_LIKE', 'AEXPR_ILIKE', 'AEXPR_SIMILAR'].includes(f.kind)) return { columns: [...strictColumns(f.lexpr), ...strictColumns(f.rexpr)], what: f.kind.slice(6) };
      if (f.kind === 'AEXPR_IN' && op === '=') return { columns: strictColumns(f.lexpr), what: 'IN' };
      if (f.kind === 'AEXPR_BETWEEN') return { columns: strictColumns(f.lexpr), what: 'BETWEEN' };
      return { columns: [], what: '' };
    }
    default:
      return { columns: [], what: '' };
  }
}

/**
 * Applies the NULL-rejecting conjuncts of `predicate` (a WHERE, or a join's ON) to the columns they name
 * in `scope` itself (never an enclosing query's). `where` says where the predicate is, for the rule text.
 * With `only`, narrows columns of those relations only and does not mark them present (a LEFT or RIGHT
 * join's ON: a matched row satisfies it, an unmatched one is NULL-extended anyway).
 */
export function narrowBy(predicate: PgNode | undefined, scope: Scope, where: string, only?: ReadonlySet<Entry>): void {
  for (const conjunct of conjuncts(predicate)) {
    const { columns, what } = rejected(conjunct);
    for (const fields of columns) {
      const found = resolve(fields, scope);
      if (!found || found.level !== 0) continue;
      const rule = `${fields.join('.')} is non-null after ${where} (${what})`;
      if (!only) narrowRef(found.ref, rule, true);
      else if (inEntries(found.ref, only)) narrowRef(found.ref, rule, false);
    }
  }
}

function inEntries(ref: ColRef, entries: ReadonlySet<Entry>): boolean {
  return ref.kind === 'slot' ? entries.has(ref.entry) : inEntries(ref.left, entries) && inEntries(ref.right, entries);
}
