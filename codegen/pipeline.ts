import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { introspect } from './catalog/introspect.js';
import type { Catalog } from './catalog/types.js';
import type { CodegenConfig } from './config.js';
import { openScratchDatabase, type ServerKind } from './database.js';
import { emitEntity, emitEnums } from './emit/entities.js';
import { emitIndex, exportClashes } from './emit/index-file.js';
import { entityModels, enumModels } from './emit/model.js';
import { emitRepository } from './emit/repositories.js';
import { DEFAULT_RUNTIME_MODULE, runtimeModuleForOutput, runtimeSpecifier } from './emit/runtime-module.js';
import { emitSqliteSchema } from './emit/sqlite-schema.js';
import { CodegenError, type Problem } from './errors.js';
import { describeQueries } from './typed/describe.js';
import { checkSqlitePortability } from './typed/sqlite-portability.js';
import { pgtypedTypeSource, type TypeSource } from './typed/type-source.js';
import type { QueryFile, TypedQuery } from './typed/types.js';

/** Reads `*.sql` of a directory, sorted, with paths relative to `root` (posix separators, for headers). */
export function readSqlFiles(dir: string, root: string): QueryFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  } catch {
    return [];
  }
  return names.map((f) => ({ path: path.relative(root, path.join(dir, f)).split(path.sep).join('/'), text: readFileSync(path.join(dir, f), 'utf8') }));
}

/** Schema files that mention `schema.name` (quoted or not); all of them when none does. */
function sourcesOf(schemaFiles: readonly QueryFile[], schema: string, name: string): string[] {
  const pattern = new RegExp(`"?${schema}"?\\s*\\.\\s*"?${name}"?\\b`, 'i');
  const found = schemaFiles.filter((f) => pattern.test(f.text)).map((f) => f.path);
  return found.length > 0 ? found : schemaFiles.map((f) => f.path);
}

export interface GenerateInput {
  catalog: Catalog;
  schemaFiles: readonly QueryFile[];
  queryFiles: readonly QueryFile[];
  typeOf: TypeSource;
  /** Sees the typed queries before emitting (`--explain`). */
  onQueries?: (queries: readonly TypedQuery[]) => void;
  /** Where generated code imports the runtime from, as runtimeModuleForOutput gives it; default `sqlwright/runtime`. */
  runtimeModule?: string;
}

/**
 * Catalog + typed queries -> generated files, by path relative to the output directory. Writes nothing.
 * @throws CodegenError listing every problem found (unsupported types, invalid queries, ...).
 */
export async function generate(input: GenerateInput): Promise<Map<string, string>> {
  const { catalog, schemaFiles, queryFiles } = input;
  const runtime = input.runtimeModule ?? DEFAULT_RUNTIME_MODULE;
  const { queries, problems } = await describeQueries(queryFiles, catalog, input.typeOf);
  input.onQueries?.(queries);
  const enums = enumModels(catalog);
  const models = entityModels(catalog, enums, problems);

  const queriesOf = new Map(models.map((m) => [m.table.name, [] as typeof queries]));
  const fileOfTable = new Map<string, QueryFile>();
  for (const file of queryFiles) {
    const table = path.posix.basename(file.path, '.sql');
    const owners = models.filter((m) => m.table.name === table);
    if (owners.length !== 1) {
      problems.push({ where: file.path, message: owners.length === 0 ? `no table named ${table} for this query file` : `table name ${table} is ambiguous across schemas` });
    } else fileOfTable.set(table, file);
  }
  for (const q of queries) queriesOf.get(path.posix.basename(q.file, '.sql'))?.push(q);

  const files = new Map<string, string>();
  const sqliteSchema = emitSqliteSchema(catalog, schemaFiles.map((f) => f.path));
  files.set('sqlite/schema.sql', sqliteSchema);
  const { postgresOnly } = checkSqlitePortability(sqliteSchema, catalog, queries, problems);
  const usedEnums = [...enums.values()];
  if (usedEnums.length > 0) {
    const sources = [...new Set(usedEnums.flatMap((e) => sourcesOf(schemaFiles, e.enum.schema, e.enum.name)))].sort();
    files.set('entities/enums.ts', emitEnums(usedEnums, sources, runtimeSpecifier(runtime, 'entities/enums.ts')));
  }
  for (const m of models) {
    const sources = sourcesOf(schemaFiles, m.table.schema, m.table.name);
    files.set(`entities/${m.fileBase}.ts`, emitEntity(m, usedEnums, sources, runtimeSpecifier(runtime, `entities/${m.fileBase}.ts`)));
    const queryFile = fileOfTable.get(m.table.name);
    const repo = emitRepository(m, queriesOf.get(m.table.name) ?? [], enums, queryFile ? [...sources, queryFile.path] : sources, problems, { runtime, postgresOnly });
    if (repo !== undefined) files.set(`repositories/${m.fileBase}-repository.ts`, repo);
  }
  files.set('index.ts', emitIndex(models, usedEnums.length > 0, schemaFiles.map((f) => f.path), runtimeSpecifier(runtime, 'index.ts')));
  const tableOf = new Map(models.flatMap((m) => [`entities/${m.fileBase}.ts`, `repositories/${m.fileBase}-repository.ts`].map((f) => [f, `${m.table.schema}.${m.table.name}`])));
  problems.push(...exportClashes(files, (file) => tableOf.get(file) ?? (file === 'entities/enums.ts' ? 'the enums' : file)));
  if (problems.length > 0) throw new CodegenError(dedupe(problems));
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.where}\n${p.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

export interface RunResult {
  files: Map<string, string>;
  server: ServerKind;
}

/** The whole pipeline: scratch database, catalog, typed queries, emit. The scratch database is always dropped. */
export async function runCodegen(config: CodegenConfig, options: { env?: NodeJS.ProcessEnv; forcePglite?: boolean; onQueries?: GenerateInput['onQueries'] } = {}): Promise<RunResult> {
  const schemaFiles = readSqlFiles(config.schemaDir, config.root);
  if (schemaFiles.length === 0) throw new CodegenError([{ where: path.relative(config.root, config.schemaDir) || '.', message: 'no .sql files in the schema directory' }]);
  const queryFiles = readSqlFiles(config.queriesDir, config.root);
  const scratch = await openScratchDatabase({ schemaDir: config.schemaDir, env: options.env, forcePglite: options.forcePglite });
  try {
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    let catalog: Catalog;
    try {
      catalog = await introspect(client, config.schemas);
    } finally {
      await client.end();
    }
    const source = await pgtypedTypeSource(scratch.url);
    try {
      const runtimeModule = runtimeModuleForOutput(config.runtimeModule, config.outDir);
      return { files: await generate({ catalog, schemaFiles, queryFiles, typeOf: source.typeOf, onQueries: options.onQueries, runtimeModule }), server: scratch.kind };
    } finally {
      source.close();
    }
  } finally {
    await scratch.close();
  }
}
