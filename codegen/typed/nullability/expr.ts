/** Nullability of one expression of a target list, RETURNING list or CASE branch. */
import type { Catalog } from '../../catalog/types.js';
import { expressionKey } from './grouping.js';
import { names, nodeOf, type PgNode } from './parse.js';
import { STRICT_OPS } from './narrow.js';
import { resolve, unknown, verdictOf, type Context, type Scope, type Verdict } from './scope.js';

const nonNull = (rule: string): Verdict => ({ nullable: false, rule });

/** Functions that never return NULL. */
const NEVER_NULL = new Set(['now', 'clock_timestamp', 'statement_timestamp', 'transaction_timestamp', 'timeofday', 'gen_random_uuid', 'random', 'pg_backend_pid', 'version', 'current_database']);
/**
 * Strict functions that return non-null for non-null arguments, whatever their types. Not extract() or
 * date_part() (NULL for some fields of 'infinity'), nor lower() and upper() (see `TEXT_ONLY`).
 */
const STRICT_TOTAL = new Set(['initcap', 'length', 'char_length', 'character_length', 'octet_length', 'btrim', 'ltrim', 'rtrim', 'abs', 'round', 'trunc', 'floor', 'ceil', 'ceiling', 'sign', 'date_trunc', 'md5', 'replace', 'lpad', 'rpad', 'left', 'right', 'repeat', 'reverse', 'cardinality', 'sqrt']);
/** Strict functions total on text only: of a range, lower() and upper() are NULL for 'empty' or an infinite bound. */
const TEXT_ONLY = new Set(['lower', 'upper']);
const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar', 'citext', 'name']);
/** Window functions that never return NULL (ntile() does, for a NULL bucket count). */
const WINDOW_NEVER_NULL = new Set(['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'count']);

function all(args: Verdict[], ok: string): Verdict {
  const bad = args.find((a) => a.nullable);
  return bad ? { nullable: true, rule: `${ok} with a nullable operand (${bad.rule})` } : nonNull(`${ok} of non-null operands`);
}

function columnIsText(origin: string, catalog: Catalog): boolean {
  const column = catalog.tables.flatMap((t) => t.columns.filter((c) => `${t.schema}.${t.name}.${c.name}` === origin))[0];
  return column?.type.kind === 'base' && !column.type.array && TEXT_TYPES.has(column.type.name);
}

/** Whether `node` is text as the parse tree shows it: a string literal, a cast to text, a text column. */
function isText(node: PgNode, verdict: Verdict, ctx: Context): boolean {
  const [kind, f] = nodeOf(node);
  if (kind === 'A_Const') return f.sval !== undefined;
  if (kind === 'TypeCast') return !f.typeName.arrayBounds && TEXT_TYPES.has(names(f.typeName.names).at(-1) ?? '');
  return kind === 'ColumnRef' && verdict.origin !== undefined && columnIsText(verdict.origin, ctx.catalog);
}

function functionVerdict(f: any, scope: Scope, ctx: Context): Verdict {
  const qualified = names(f.funcname);
  const name = qualified.at(-1) ?? '';
  const builtin = qualified.length === 1 || qualified[0] === 'pg_catalog';
  const args = (): Verdict[] => ((f.args ?? []) as PgNode[]).map((a) => exprVerdict(a, scope, ctx));
  if (!builtin) return unknown(`function ${qualified.join('.')} may return NULL`);
  if (f.over) {
    if (WINDOW_NEVER_NULL.has(name)) return nonNull(`window function ${name}() is never NULL`);
    return name === 'ntile' ? all(args(), 'window function ntile()') : unknown(`window function ${name}() may return NULL`);
  }
  if (name === 'count') return nonNull(f.agg_star ? 'count(*) is never NULL' : 'count() is never NULL');
  if (NEVER_NULL.has(name)) return nonNull(`${name}() is never NULL`);
  if ((name === 'concat' || name === 'concat_ws') && f.func_variadic) return unknown(`${name}(VARIADIC array) is NULL for a NULL array`);
  if (name === 'concat') return nonNull('concat() is never NULL');
  if (name === 'concat_ws') return all(args().slice(0, 1), 'concat_ws() separator');
  if (STRICT_TOTAL.has(name) && !f.agg_filter && !f.agg_order) return all(args(), `${name}()`);
  if (TEXT_ONLY.has(name) && f.args?.length === 1 && !f.agg_filter && !f.agg_order) {
    const [arg] = args();
    if (isText(f.args[0], arg, ctx)) return all([arg], `${name}()`);
    return unknown(`${name}() may return NULL: its argument is not known to be text (of a range, it is NULL for 'empty' or an infinite bound)`);
  }
  return unknown(`${name}() may return NULL (aggregates return NULL without rows; other functions are not analysed)`);
}

function aExprVerdict(f: any, scope: Scope, ctx: Context): Verdict {
  const side = (n: PgNode | undefined) => (n ? [exprVerdict(n, scope, ctx)] : []);
  const op = names(f.name).at(-1) ?? '';
  switch (f.kind) {
    case 'AEXPR_OP':
      return STRICT_OPS.has(op) ? all([...side(f.lexpr), ...side(f.rexpr)], `operator ${op}`) : unknown(`operator ${op} may return NULL`);
    case 'AEXPR_DISTINCT':
    case 'AEXPR_NOT_DISTINCT':
      return nonNull('IS [NOT] DISTINCT FROM is never NULL');
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE':
    case 'AEXPR_SIMILAR':
      return all([...side(f.lexpr), ...side(f.rexpr)], f.kind.slice(6));
    case 'AEXPR_IN':
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN': {
      const [rk, rf] = nodeOf(f.rexpr);
      const list: PgNode[] = rk === 'List' ? rf.items : Array.isArray(f.rexpr) ? f.rexpr : [f.rexpr];
      return all([...side(f.lexpr), ...list.flatMap(side)], f.kind.slice(6));
    }
    default:
      return unknown(`${f.kind} may return NULL`);
  }
}

/** Whether `node` may evaluate to NULL in `scope`, and why. Anything not covered by a rule may. */
export function exprVerdict(node: PgNode, scope: Scope, ctx: Context): Verdict {
  const [kind, f] = nodeOf(node);
  const sub = (n: PgNode) => exprVerdict(n, scope, ctx);
  if (scope.rolledUp?.has(expressionKey(node))) return unknown('a grouping key: the rows ROLLUP / CUBE / GROUPING SETS add hold NULL in it');
  switch (kind) {
    case 'ColumnRef': {
      const fields = names(f.fields);
      const found = resolve(fields, scope);
      if (!found) return unknown(`cannot tell which column ${fields.join('.')} is`);
      const verdict = verdictOf(found.ref);
      // The name may be an enclosing query's column: the database's NOT NULL could be that column's.
      return found.guessed ? { ...verdict, fromDatabase: undefined } : verdict;
    }
    case 'A_Const':
      return f.isnull ? unknown('NULL literal') : nonNull('literal');
    case 'ParamRef':
      return ctx.requiredParams.has(f.number) ? nonNull(`required parameter $${f.number}`) : unknown(`optional parameter $${f.number}`);
    case 'TypeCast':
    case 'CollateClause': {
      const inner = sub(f.arg);
      return inner.nullable ? inner : nonNull(`cast of a non-null value (${inner.rule})`);
    }
    case 'FuncCall':
      return functionVerdict(f, scope, ctx);
    case 'SQLValueFunction':
      if (f.op === 'SVFOP_CURRENT_SCHEMA') return unknown('CURRENT_SCHEMA is NULL when no schema of search_path exists');
      return nonNull(`${String(f.op).replace('SVFOP_', '')} is never NULL`);
    case 'A_Expr':
      return aExprVerdict(f, scope, ctx);
    case 'BoolExpr':
      return all((f.args as PgNode[]).map(sub), f.boolop.replace('_EXPR', ''));
    case 'NullTest':
    case 'BooleanTest':
      return nonNull('IS [NOT] NULL / IS TRUE tests are never NULL');
    case 'SubLink':
      if (f.subLinkType === 'EXISTS_SUBLINK') return nonNull('EXISTS is never NULL');
      if (f.subLinkType === 'ARRAY_SUBLINK') return nonNull('ARRAY(subquery) is never NULL');
      return unknown(f.subLinkType === 'EXPR_SUBLINK' ? 'a scalar subquery is NULL when it returns no row' : `${f.subLinkType} may be NULL`);
    case 'CaseExpr': {
      if (!f.defresult) return unknown('CASE without ELSE');
      const branches = [...(f.args as PgNode[]).map((w) => sub(nodeOf(w)[1].result)), sub(f.defresult)];
      return all(branches, 'CASE');
    }
    case 'CoalesceExpr':
    case 'MinMaxExpr': {
      const what = kind === 'CoalesceExpr' ? 'COALESCE' : String(f.op).replace('IS_', '');
      const firm = (f.args as PgNode[]).map(sub).find((v) => !v.nullable);
      return firm ? nonNull(`${what} with a non-null argument (${firm.rule})`) : unknown(`${what} of nullable arguments`);
    }
    case 'A_ArrayExpr':
      return nonNull('ARRAY[...] is never NULL');
    default:
      return unknown(`${kind} expressions are not analysed`);
  }
}
