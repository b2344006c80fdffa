import { parseSQLFile, queryASTToIR, TransformType, type SQLQueryAST, type SQLQueryIR } from '@pgtyped/parser';
import { processSQLQueryIR } from '@pgtyped/runtime';
import { isEnum, isEnumArray, type MappableType } from '@pgtyped/query';
import type { Catalog, PgType } from '../catalog/types.js';
import { at, type Problem } from '../errors.js';
import { inferNullability, type Described } from './nullability/infer.js';
import { baseMapping } from './pg-types.js';
import type { TypeSource } from './type-source.js';
import type { QueryFile, QueryParam, ResultColumn, TypedQuery } from './types.js';

/**
 * Maps a 1-based `position` in the interpolated statement (params replaced by `$n`) back to a 0-based
 * offset in the original statement, using the IR's param locations (inclusive `a..b`).
 */
export function statementOffset(ir: SQLQueryIR, indexOf: (name: string) => number, position: number): number {
  const target = position - 1;
  const locs = ir.params
    .flatMap((p) => p.locs.map((loc) => ({ ...loc, length: `$${indexOf(p.name)}`.length })))
    .sort((x, y) => x.a - y.a);
  let src = 0;
  let out = 0;
  for (const loc of locs) {
    const segment = loc.a - src;
    if (target < out + segment) return src + (target - out);
    out += segment;
    if (target < out + loc.length) return loc.a;
    out += loc.length;
    src = loc.b + 1;
  }
  return src + (target - out);
}

/** pgtyped's type (a typname, `_typname` for arrays, or an enum object) as a catalog type. */
function resolveType(type: MappableType, catalog: Catalog): PgType | string {
  const enumOf = (name: string, values: string[], array: boolean): PgType | string => {
    const found = catalog.enums.filter((e) => e.name === name && e.values.length === values.length && values.every((v) => e.values.includes(v)));
    if (found.length !== 1) return `enum ${name} is not in the introspected schemas (or is ambiguous)`;
    return { kind: 'enum', schema: found[0].schema, name, array };
  };
  if (typeof type === 'string') {
    const array = type.startsWith('_');
    const name = array ? type.slice(1) : type;
    // Caught here, with the query's name, rather than as a crash in the emitter.
    if (!baseMapping(name)) return `unsupported type ${type} (see the type map in docs/codegen.md)`;
    return { kind: 'base', name, array };
  }
  if (isEnumArray(type)) return enumOf(type.elementType.name, type.elementType.enumValues, true);
  if (isEnum(type)) return enumOf(type.name, type.enumValues, false);
  return `unsupported type ${type.name}`;
}

/** `"total!"` -> ['total', false]; `"note?"` -> ['note', true]; otherwise what the nullability rules decided. */
function nullability(returnName: string, inferred: { nullable: boolean; rule: string }): [string, boolean, string] {
  if (returnName.endsWith('!')) return [returnName.slice(0, -1), false, `AS "${returnName}" overrides: non-null (rules said ${inferred.nullable ? 'nullable' : 'non-null'}: ${inferred.rule})`];
  if (returnName.endsWith('?')) return [returnName.slice(0, -1), true, `AS "${returnName}" overrides: nullable (rules said ${inferred.nullable ? 'nullable' : 'non-null'}: ${inferred.rule})`];
  return [returnName, inferred.nullable, inferred.rule];
}

async function describeQuery(file: QueryFile, ast: SQLQueryAST, catalog: Catalog, typeOf: TypeSource, problems: Problem[]): Promise<TypedQuery | undefined> {
  const ir = queryASTToIR(ast);
  const where = (offset: number) => at(file.path, file.text, ast.statement.loc.a + offset);
  const label = `query ${ast.name}`;
  const before = problems.length;
  for (const p of ir.params) {
    if (p.transform.type !== TransformType.Scalar) {
      problems.push({ where: where(p.locs[0]?.a ?? 0), message: `${label}: parameter :${p.name} uses an expansion (${p.transform.type}), which sqlwright does not support yet` });
    }
  }
  if (problems.length > before) return undefined;

  const interpolated = processSQLQueryIR(ir);
  const indexOf = (name: string) => {
    const m = interpolated.mapping.find((p) => p.name === name);
    return m && 'assignedIndex' in m && typeof m.assignedIndex === 'number' ? m.assignedIndex : 0;
  };
  const result = await typeOf(interpolated);
  if ('errorCode' in result) {
    const offset = result.position ? statementOffset(ir, indexOf, Number(result.position)) : 0;
    const hint = result.hint ? ` (hint: ${result.hint})` : '';
    problems.push({ where: where(offset), message: `${label} is invalid: ${result.message}${hint}` });
    return undefined;
  }

  const params: QueryParam[] = [];
  for (const m of interpolated.mapping) {
    if (!('assignedIndex' in m) || typeof m.assignedIndex !== 'number') continue;
    const type = resolveType(result.paramMetadata.params[m.assignedIndex - 1], catalog);
    const firstUse = ir.params.find((p) => p.name === m.name)?.locs[0]?.a ?? 0;
    if (typeof type === 'string') problems.push({ where: where(firstUse), message: `${label}: parameter :${m.name}: ${type}` });
    else params.push({ name: m.name, index: m.assignedIndex, required: m.required, type });
  }

  const described: Described[] = result.returnTypes.map((r, i) => ({ name: r.returnName, origin: result.origins?.[i], originNullable: r.nullable }));
  const required = new Set(interpolated.mapping.flatMap((m) => ('assignedIndex' in m && typeof m.assignedIndex === 'number' && m.required ? [m.assignedIndex] : [])));
  const verdicts = await inferNullability(interpolated.query, described, catalog, required);
  const columns: ResultColumn[] = [];
  const rules: string[] = [];
  const seen = new Set<string>();
  result.returnTypes.forEach((r, i) => {
    const [name, nullable, rule] = nullability(r.returnName, verdicts[i]);
    // PostgreSQL names an unnamed expression `?column?` (which would also read as a `?` suffix).
    if (r.returnName === '?column?' || name === '') {
      problems.push({ where: where(0), message: `${label}: result column ${i + 1} has no name; name it with AS "name"` });
      return;
    }
    if (seen.has(name)) {
      problems.push({ where: where(0), message: `${label}: result column "${name}" appears twice; rename one with AS` });
      return;
    }
    seen.add(name);
    const type = resolveType(r.type, catalog);
    if (typeof type === 'string') problems.push({ where: where(0), message: `${label}: result column "${name}": ${type}` });
    else {
      columns.push({ key: r.returnName, name, nullable, type });
      rules.push(rule);
    }
  });
  if (problems.length > before) return undefined;
  return { file: file.path, name: ast.name, at: where(0), text: interpolated.query, params, columns, nullabilityRules: rules };
}

/**
 * Types every named query of every file. Parse errors, invalid queries, unnamed or duplicate result
 * columns and unsupported parameters are collected into `problems` with `file:line:col`; the queries
 * typed cleanly are returned in file order.
 */
export async function describeQueries(files: readonly QueryFile[], catalog: Catalog, typeOf: TypeSource): Promise<{ queries: TypedQuery[]; problems: Problem[] }> {
  const problems: Problem[] = [];
  const queries: TypedQuery[] = [];
  for (const file of files) {
    const { queries: asts, events } = parseSQLFile(file.text);
    for (const e of events.filter((ev) => 'critical' in ev)) problems.push({ where: at(file.path, file.text, e.location?.a ?? 0), message: `parse error: ${e.message.text}` });
    if (events.some((ev) => 'critical' in ev)) continue;
    const names = new Set<string>();
    for (const ast of asts) {
      if (names.has(ast.name)) {
        problems.push({ where: at(file.path, file.text, ast.statement.loc.a), message: `query ${ast.name} is defined twice in this file` });
        continue;
      }
      names.add(ast.name);
      const typed = await describeQuery(file, ast, catalog, typeOf, problems);
      if (typed) queries.push(typed);
    }
  }
  return { queries, problems };
}
