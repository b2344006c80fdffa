import { VariableDeclarationKind, type MethodDeclarationStructure, type OptionalKind, type SourceFile } from 'ts-morph';
import type { Problem } from '../errors.js';
import type { TypedQuery } from '../typed/types.js';
import { addSchemaImports, objectBody, readExpr, schemaNames, usedEnumSchemas } from './entities.js';
import { typeModel, type EntityModel, type EnumModel, type TypeModel } from './model.js';
import { camelCase, freeName, pascalCase, snakeCase, sqlLiteral, str } from './names.js';
import { runtimeSpecifier } from './runtime-module.js';
import { renderSource } from './source.js';
import { isRowidKey } from './sqlite-schema.js';
import { translateDefault } from './sqlite-sql.js';

type Method = OptionalKind<MethodDeclarationStructure>;

/**
 * The module-level names a repository file refers to that could clash with a name derived from SQL: a table
 * `keys` brings the import `keySchema`, `executors` the type `Executor`, `promises` a type `Promise` that would
 * shadow the global. Each is its usual name unless that is taken, so files without a clash read as always.
 */
interface Scope {
  /** The entity's types, as imported: `Promise_` for a table `promises`. */
  types: ReturnType<typeof schemaNames>['types'];
  /** The validators of a key, a key list, list options and an upsert key: `keySchema`, or `keySchema_` beside an entity `Key`. */
  keySchema: string;
  keysSchema: string;
  listSchema: string;
  uniqueKeySchema: string;
  /** `Executor`, or `rt.Executor` when the entity is called Executor. */
  executor: string;
}

/** The entity's type names as its repository imports them: one named like a global is imported as `<name>_`. */
function importedTypes(m: EntityModel): Scope['types'] {
  const { entity, insert, patch, upsert } = schemaNames(m).types;
  const none = new Set<string>();
  return { entity: freeName(entity, none), insert: freeName(insert, none), patch: freeName(patch, none), upsert: freeName(upsert, none) };
}

/**
 * `scale`: of a numeric(p,s) column, so the SQLite codec reads `'12.30'` as PostgreSQL does. `rowid`: the key is
 * SQLite's INTEGER rowid, which sorts as stored (no decimal sort key, so list() pages by the rowid index).
 */
function columnType(t: TypeModel, scale?: number, rowid = false): string {
  const extra = `${t.array ? ', array: true' : ''}${scale !== undefined && t.kind === 'numeric' ? `, scale: ${scale}` : ''}${rowid ? ', rowid: true' : ''}`;
  // Labels in declaration order: a dialect that stores enums as text sorts by them as PostgreSQL does.
  const values = t.kind === 'enum' && t.enum ? `, values: [${t.enum.enum.values.map(str).join(', ')}]` : '';
  return `{ kind: ${str(t.kind)}${extra}${values} }`;
}

/** `sqliteDefault`: what SQLite's insertMany writes for a column a row leaves out (SQLite has no DEFAULT in VALUES). */
function descriptor(column: string, sql: string, field: string, t: TypeModel, scale?: number, sqliteDefault?: string, rowid = false): string {
  return `{ column: ${str(column)}, sql: ${str(sql)}, field: ${str(field)}, type: ${columnType(t, scale, rowid)}${sqliteDefault ? `, sqliteDefault: ${str(sqliteDefault)}` : ''} }`;
}

function fieldDescriptor(m: EntityModel, f: EntityModel['fields'][number]): string {
  const d = f.insert === 'optional' && f.column.defaultExpr !== undefined ? translateDefault(f.column) : undefined;
  return descriptor(f.column.name, f.column.sqlName, f.field, f.type, f.column.numeric?.scale, d && 'sql' in d ? d.sql : undefined, isRowidKey(m.table, f.column));
}

/** A named query, ready to print; or problems. */
interface QueryModel {
  query: TypedQuery;
  method: string;
  paramsSchema: string;
  paramsType: string;
  paramsObject: string;
  /** Parameters in `$n` order. */
  params: { name: string; required: boolean; type: TypeModel }[];
  /** Reused entity schema/type, or the row schema emitted for this query. */
  row: { schema: string; type: string; object?: string };
  constant: string;
  columns: string[];
  /** Why the query cannot run on SQLite, when it cannot. */
  postgresOnly?: string;
}

function queryModel(m: EntityModel, q: TypedQuery, enums: ReadonlyMap<string, EnumModel>, entityType: string, problems: Problem[], postgresOnly?: string): QueryModel | undefined {
  const where = `${q.file}: query ${q.name}`;
  const method = camelCase(q.name);
  const before = problems.length;
  const params: QueryModel['params'] = [];
  for (const p of [...q.params].sort((a, b) => a.index - b.index)) {
    const type = typeModel(p.type, enums);
    if (typeof type === 'string') problems.push({ where, message: `parameter :${p.name}: ${type}` });
    else params.push({ name: p.name, required: p.required, type });
  }
  const columns: { key: string; field: string; type: TypeModel; nullable: boolean }[] = [];
  const fields = new Set<string>();
  for (const c of q.columns) {
    const type = typeModel(c.type, enums);
    const field = camelCase(c.name);
    if (typeof type === 'string') problems.push({ where, message: `result column ${c.name}: ${type}` });
    else if (fields.has(field)) problems.push({ where, message: `result columns ${c.name} and another both become field ${field}; rename one with AS` });
    else columns.push({ key: c.key, field, type, nullable: c.nullable });
    fields.add(field);
  }
  if (problems.length > before) return undefined;

  const sameAsEntity =
    columns.length === m.fields.length &&
    columns.every((c, i) => {
      const f = m.fields[i];
      return c.key === f.column.name && c.nullable === f.nullable && c.type.read === f.type.read;
    });
  // Rows with exactly the table's columns (whatever their nullability) decode with the table's descriptors.
  const tableColumns =
    columns.length === m.fields.length &&
    columns.every((c, i) => c.key === m.fields[i].column.name && c.type.read === m.fields[i].type.read && c.type.kind === m.fields[i].type.kind);
  const n = schemaNames(m);
  const pascal = pascalCase(q.name);
  const row = columns.length === 0
    ? { schema: '', type: '' }
    : sameAsEntity
    ? { schema: n.entity, type: entityType }
    : { schema: `${method}RowSchema`, type: `${pascal}Row`, object: `z.object(${objectBody(columns.map((c) => [c.field, readExpr(c)]))})` };
  const paramsObject = `z.strictObject(${objectBody(params.map((p) => [p.name, p.required ? p.type.input : `${p.type.input}.nullish()`]))})`;
  const constant =
    `{\n  name: ${str(`sqlwright_${m.table.name}_${snakeCase(q.name)}`)},\n  method: ${str(`${m.entity}Repository.${method}`)},\n` +
    `  text: ${sqlLiteral(q.text)},\n  params: [${params.map((p) => columnType(p.type)).join(', ')}],\n` +
    `  columns: ${tableColumns ? 'table.columns' : columns.length === 0 ? '[]' : `[\n${columns.map((c) => `    ${descriptor(c.key, c.key, c.field, c.type)},`).join('\n')}\n  ]`},\n` +
    `${postgresOnly ? `  postgresOnly: ${str(postgresOnly)},\n` : ''}}`;
  return {
    query: q,
    method,
    paramsSchema: `${method}ParamsSchema`,
    paramsType: `${pascal}Params`,
    paramsObject,
    params,
    row,
    constant,
    columns: columns.map((c) => c.field),
    postgresOnly,
  };
}

function crudMethods(m: EntityModel, defaultKey: string, scope: Scope): Method[] {
  const n = scope.types;
  const name = `${m.entity}Repository`;
  const key = `${n.entity}['${m.key.field}']`;
  const v = (schema: string, arg: string, method: string) => `rt.validate(${schema}, ${arg}, '${name}.${method}')`;
  const s = schemaNames(m);
  const ex = 'this.#executor';
  const method = (mName: string, params: [string, string][], returns: string, body: string, doc: string): Method => ({
    name: mName,
    isAsync: true,
    parameters: params.map(([p, type]) => ({ name: p.replace(/[?]$/, ''), type, hasQuestionToken: p.endsWith('?') })),
    returnType: `Promise<${returns}>`,
    statements: body,
    docs: [doc],
  });
  return [
    // Not async (the hottest read): an async wrapper around table.get's promise costs a promise and two microtask
    // hops. A validation error still comes back as a rejection.
    {
      ...method('get', [['id', key]], `${n.entity} | null`, `try {\n  return table.get(${ex}, ${v(scope.keySchema, 'id', 'get')});\n} catch (error) {\n  return Promise.reject(error);\n}`, `The ${m.entity} with this key, or null.\n@throws ValidationError when the key is malformed (no SQL is sent).`),
      isAsync: false,
    },
    method('getOrThrow', [['id', key]], n.entity, `return table.getOrThrow(${ex}, ${v(scope.keySchema, 'id', 'getOrThrow')});`, `The ${m.entity} with this key.\n@throws NotFoundError when there is none.\n@throws ValidationError when the key is malformed.`),
    method('getMany', [['ids', `readonly ${key}[]`]], `${n.entity}[]`, `return table.getMany(${ex}, ${v(scope.keysSchema, 'ids', 'getMany')});`, `The ${m.entity}s with these keys, in the order given (duplicates once, missing ones skipped), in one statement.`),
    method('list', [['options?', `rt.ListOptions<${m.entity}Where, ${m.entity}SortField>`]], `rt.Page<${n.entity}>`, `return table.list(${ex}, ${v(scope.listSchema, 'options', 'list')});`, `One page of ${m.entity}s in keyset order: pass \`next\` back as \`after\` for the following page.\n@throws ValidationError on a bad filter, limit or cursor.`),
    method('count', [['where?', `${m.entity}Where`]], 'number', `return table.count(${ex}, ${v(`${s.entity.replace(/Schema$/, 'WhereSchema')}.optional()`, 'where', 'count')});`, `How many ${m.entity}s match \`where\` (all of them without it).`),
    method('create', [['input', n.insert]], n.entity, `return table.insert(${ex}, ${v(s.insert, 'input', 'create')});`, `Inserts one ${m.entity} and returns it as stored.\n@throws ValidationError on bad input (no SQL is sent).\n@throws ConflictError on a unique violation.`),
    method('createMany', [['inputs', `readonly ${n.insert}[]`]], `${n.entity}[]`, `return table.insertMany(${ex}, ${v(`z.array(${s.insert})`, 'inputs', 'createMany')});`, `Inserts many ${m.entity}s in one statement (one round trip) and returns them in input order.\n@throws ValidationError when any input is bad (nothing is inserted).\n@throws ConflictError on a unique violation (nothing is inserted).`),
    method('update', [['id', key], ['patch', n.patch]], n.entity, `return table.update(${ex}, ${v(scope.keySchema, 'id', 'update')}, ${v(s.patch, 'patch', 'update')});`, `Sets the given fields${m.updatedAt ? ` and \`${m.updatedAt.field}\`` : ''} and returns the row.\n@throws NotFoundError when no ${m.entity} has this key.\n@throws ValidationError on bad input.`),
    method('upsert', [['input', n.upsert], ['onConflict', `${m.entity}UniqueKey = ${str(defaultKey)}`]], n.entity, `return table.upsert(${ex}, ${v(s.upsert, 'input', 'upsert')}, ${v(scope.uniqueKeySchema, 'onConflict', 'upsert')});`, `Inserts, or when a row with the same \`onConflict\` key exists, updates it with the other given fields.\n@throws ValidationError when the key's fields are missing.`),
    method('delete', [['id', key]], 'boolean', `return table.delete(${ex}, ${v(scope.keySchema, 'id', 'delete')});`, `Deletes the ${m.entity} with this key; false when there was none.`),
  ];
}

function queryMethod(m: EntityModel, q: QueryModel): Method {
  const hasParams = q.params.length > 0;
  const values = `[${q.params.map((p) => `p.${p.name}`).join(', ')}]`;
  const validation = `const p = rt.validate(${q.paramsSchema}, params, '${m.entity}Repository.${q.method}');`;
  const returnsRows = q.columns.length > 0;
  const run = returnsRows
    ? `return rt.runNamedQuery(this.#executor, ${q.method}Query, ${hasParams ? values : '[]'}, ${q.row.schema});`
    : `return rt.runNamedCommand(this.#executor, ${q.method}Query, ${hasParams ? values : '[]'});`;
  return {
    name: q.method,
    isAsync: true,
    parameters: hasParams ? [{ name: 'params', type: q.paramsType }] : [],
    returnType: returnsRows ? `Promise<${q.row.type}[]>` : 'Promise<number>',
    statements: hasParams ? `${validation}\n${run}` : run,
    docs: [
      `${q.query.name} (${q.query.file}).${returnsRows ? '' : ' Resolves to the number of rows affected.'}` +
        `${q.postgresOnly ? `\nPostgreSQL-only: ${q.postgresOnly.replace(/\*\//g, '* /')}.` : ''}` +
        `\n@throws ValidationError on bad parameters (no SQL is sent) or a row that does not match its declared type.` +
        `${q.postgresOnly ? '\n@throws UnsupportedOnDialectError on SQLite (no SQL is sent).' : ''}`,
    ],
  };
}

/**
 * A named query whose method would be a second `count`, `get`, ... (or `constructor`), or the method of another
 * query (`FindX` and `findX`), would emit a class that does not compile: each is a problem naming the query.
 */
function methodClashes(m: EntityModel, queries: readonly QueryModel[], builtIns: readonly string[], problems: Problem[]): void {
  const taken = new Map<string, string>([...builtIns, 'constructor'].map((name) => [name, `the built-in ${m.entity}Repository.${name}`]));
  for (const q of queries) {
    const other = taken.get(q.method);
    if (other) problems.push({ where: q.query.at ?? q.query.file, message: `query ${q.query.name}: its method ${q.method} clashes with ${other}; rename the query` });
    else taken.set(q.method, `the method of query ${q.query.name}`);
  }
}

export interface RepositoryOptions {
  /** The runtime module specifier, as runtimeModuleForOutput gives it. */
  runtime: string;
  /** PostgreSQL-only queries and why (typed/sqlite-portability.ts). */
  postgresOnly?: ReadonlyMap<TypedQuery, string>;
}

/** generated/repositories/<entity>-repository.ts, or undefined with problems. */
export function emitRepository(m: EntityModel, queries: readonly TypedQuery[], enums: ReadonlyMap<string, EnumModel>, sources: readonly string[], problems: Problem[], options: RepositoryOptions): string | undefined {
  const before = problems.length;
  const types = importedTypes(m);
  const models = queries.map((q) => queryModel(m, q, enums, types.entity, problems, options.postgresOnly?.get(q)));
  if (problems.length > before) return undefined;
  const qs = models as QueryModel[];
  const n = schemaNames(m);
  const filterable = m.fields.filter((f) => f.filterable);
  const sortable = m.fields.filter((f) => f.sortable);
  const whereObject = `z.strictObject(${objectBody(filterable.map((f) => [f.field, f.nullable ? `${f.type.input}.nullish()` : `${f.type.input}.optional()`]))})`;
  const code = [m.key.type.input, whereObject, ...qs.flatMap((q) => [q.paramsObject, q.row.object ?? ''])].join('\n');
  const taken = new Set(['t', 'z', 'rt', 'table', ...usedEnumSchemas(code, [...enums.values()]), n.entity, n.insert, n.patch, n.upsert, ...Object.values(types)]);
  const scope: Scope = {
    types,
    keySchema: freeName('keySchema', taken),
    keysSchema: freeName('keysSchema', taken),
    listSchema: freeName('listSchema', taken),
    uniqueKeySchema: freeName('uniqueKeySchema', taken),
    executor: taken.has('Executor') ? 'rt.Executor' : 'Executor',
  };
  const defaultKey = (m.uniqueKeys[1] ?? m.uniqueKeys[0]).name;
  const crud = crudMethods(m, defaultKey, scope);
  methodClashes(m, qs, crud.map((c) => c.name), problems);
  if (problems.length > before) return undefined;
  const runtime = runtimeSpecifier(options.runtime, `repositories/${m.fileBase}-repository.ts`);
  const whereSchema = n.entity.replace(/Schema$/, 'WhereSchema');
  const tableInit =
    `new rt.Table<${types.entity}>({\n  entity: ${str(m.entity)},\n  sqlName: ${str(m.table.sqlName)},\n  statement: ${str(`sqlwright_${m.table.name}`)},\n` +
    `  key: ${str(m.key.field)},\n${m.createdAt ? `  createdAt: ${str(m.createdAt.field)},\n` : ''}${m.updatedAt ? `  updatedAt: ${str(m.updatedAt.field)},\n` : ''}` +
    `  uniqueKeys: { ${m.uniqueKeys.map((k) => `${k.name}: [${k.fields.map(str).join(', ')}]`).join(', ')} },\n` +
    `  columns: [\n${m.fields.map((f) => `    ${fieldDescriptor(m, f)},`).join('\n')}\n  ],\n})`;
  const entityImports = [n.entity, n.insert, n.patch, n.upsert].sort();
  const typeImports = (Object.keys(n.types) as (keyof Scope['types'])[]).map((k) => ({ name: n.types[k], alias: types[k] })).sort((a, b) => (a.name < b.name ? -1 : 1));

  return renderSource(sources, (file: SourceFile) => {
    addSchemaImports(file, code, [...enums.values()], '../entities/enums.js', runtime, scope.executor === 'Executor' ? ['Executor'] : []);
    file.addImportDeclaration({ moduleSpecifier: runtime, namespaceImport: 'rt' });
    file.addImportDeclaration({
      moduleSpecifier: `../entities/${m.fileBase}.js`,
      namedImports: [...entityImports, ...typeImports.map((t) => ({ name: t.name, alias: t.alias === t.name ? undefined : t.alias, isTypeOnly: true }))],
    });
    const constant = (name: string, initializer: string, docs: string[] = [], isExported = false) =>
      file.addVariableStatement({ isExported, declarationKind: VariableDeclarationKind.Const, docs, declarations: [{ name, initializer }] });
    constant('table', tableInit, [`The columns of ${m.table.schema}.${m.table.name}, from the catalog.`]);
    constant(scope.keySchema, m.key.type.input);
    constant(scope.keysSchema, `z.array(${m.key.type.input})`);
    constant(whereSchema, whereObject, [`Equality filters of ${m.entity}Repository.list and count; null matches NULL.`], true);
    file.addTypeAlias({ isExported: true, name: `${m.entity}Where`, type: `z.input<typeof ${whereSchema}>` });
    file.addTypeAlias({ isExported: true, name: `${m.entity}SortField`, type: sortable.map((f) => str(f.field)).join(' | '), docs: ['Fields list() can sort by: NOT NULL columns of comparable types.'] });
    constant(scope.listSchema, `rt.listOptionsSchema(${whereSchema}, [${sortable.map((f) => str(f.field)).join(', ')}])`);
    constant(scope.uniqueKeySchema, `z.enum([${m.uniqueKeys.map((k) => str(k.name)).join(', ')}])`);
    file.addTypeAlias({ isExported: true, name: `${m.entity}UniqueKey`, type: `z.infer<typeof ${scope.uniqueKeySchema}>`, docs: ['Unique keys upsert can use: the primary key and each unique constraint.'] });
    for (const q of qs) {
      if (q.params.length > 0) {
        constant(q.paramsSchema, q.paramsObject, [`Parameters of ${q.query.name}.`], true);
        file.addTypeAlias({ isExported: true, name: q.paramsType, type: `z.input<typeof ${q.paramsSchema}>` });
      }
      if (q.row.object) {
        constant(q.row.schema, q.row.object, [`A row of ${q.query.name}.`], true);
        file.addTypeAlias({ isExported: true, name: q.row.type, type: `z.infer<typeof ${q.row.schema}>` });
      }
      file.addVariableStatement({ declarationKind: VariableDeclarationKind.Const, declarations: [{ name: `${q.method}Query`, type: 'rt.NamedQuery', initializer: q.constant }] });
    }
    file.addClass({
      isExported: true,
      name: `${m.entity}Repository`,
      docs: [`Reads and writes ${m.table.schema}.${m.table.name}. Inputs are validated before any SQL runs; rows come back as ${n.types.entity}.`],
      properties: [{ name: '#executor', isReadonly: true, type: scope.executor }],
      ctors: [{ parameters: [{ name: 'executor', type: scope.executor }], statements: 'this.#executor = executor;' }],
      methods: [...crud, ...qs.map((q) => queryMethod(m, q))],
    });
  });
}
