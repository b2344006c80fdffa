/**
 * Types a nullability case (`schema.sql` + `query.sql`) on a fresh database, through the real pipeline:
 * introspection, pgtyped's describe, the nullability rules, and the emitters. The queries of query.sql
 * belong to the first table schema.sql creates (the emitters put queries on a table's repository).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { introspect } from '../../../codegen/catalog/introspect.js';
import type { Catalog } from '../../../codegen/catalog/types.js';
import { generate } from '../../../codegen/pipeline.js';
import { explainQuery } from '../../../codegen/typed/nullability/explain.js';
import { pgtypedTypeSource, type TypeSource } from '../../../codegen/typed/type-source.js';
import type { QueryFile, TypedQuery } from '../../../codegen/typed/types.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

export interface TypedCase {
  db: TestDatabase;
  catalog: Catalog;
  queries: TypedQuery[];
  /** Generated files by path (repositories/<entity>-repository.ts, ...). */
  files: Map<string, string>;
}

export function ownerTable(schemaSql: string): string {
  const match = /CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:"?\w+"?\.)?"?(\w+)"?/i.exec(schemaSql);
  if (!match) throw new Error('schema.sql creates no table');
  return match[1];
}

/**
 * A fresh database with `schemaFiles` applied in order (plain SQL, no migrator ledger), and `queryFiles`
 * typed against it through `generate`. The caller drops `db`. `wrap` sees the type source (the
 * side-by-side test records pgtyped's own answers with it).
 */
export async function typeSources(schemaFiles: QueryFile[], queryFiles: QueryFile[], wrap: (t: TypeSource) => TypeSource = (t) => t): Promise<TypedCase> {
  const db = await createTestDatabase('sqlwright_nullability');
  try {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    let catalog: Catalog;
    try {
      for (const f of schemaFiles) await client.query(f.text);
      catalog = await introspect(client);
    } finally {
      await client.end();
    }
    const source = await pgtypedTypeSource(db.url);
    let queries: TypedQuery[] = [];
    try {
      const files = await generate({ catalog, schemaFiles, queryFiles, typeOf: wrap(source.typeOf), onQueries: (q) => (queries = [...q]) });
      return { db, catalog, queries, files };
    } finally {
      source.close();
    }
  } catch (error) {
    await db.drop();
    throw error;
  }
}

/**
 * A nullability case folder: query.sql as the queries of the schema's first table, on the schema every case
 * shares (nullability/schema.sql) plus the case's own schema.sql when it has one.
 */
export function caseSources(dir: string): { schemaFiles: QueryFile[]; queryFiles: QueryFile[] } {
  const own = path.join(dir, 'schema.sql');
  const schemaSql = readFileSync(path.join(dir, '../../schema.sql'), 'utf8') + (existsSync(own) ? readFileSync(own, 'utf8') : '');
  const querySql = readFileSync(path.join(dir, 'query.sql'), 'utf8');
  return { schemaFiles: [{ path: 'schema.sql', text: schemaSql }], queryFiles: [{ path: `queries/${ownerTable(schemaSql)}.sql`, text: querySql }] };
}

export function typeCase(dir: string, wrap?: (t: TypeSource) => TypeSource): Promise<TypedCase> {
  const { schemaFiles, queryFiles } = caseSources(dir);
  return typeSources(schemaFiles, queryFiles, wrap);
}

/** The emitted row schema of a query (`z.object({...})`), or the entity schema it reuses. */
export function emittedRow(files: Map<string, string>, q: TypedQuery): string {
  const method = q.name[0].toLowerCase() + q.name.slice(1);
  const repo = [...files.entries()].find(([f, text]) => f.startsWith('repositories/') && text.includes(`${method}Query`))?.[1] ?? '';
  const schema = new RegExp(`rt\\.runNamedQuery\\(this\\.#executor, ${method}Query, [^;]*, (\\w+)\\);`).exec(repo)?.[1];
  if (!schema) return '  emitted: no rows (a command)';
  const body = new RegExp(`export const ${schema} = (z\\.object\\(\\{[\\s\\S]*?\\}\\));`).exec(repo)?.[1];
  return body ? `  emitted ${schema}: ${body.replace(/\s*\n\s*/g, ' ')}` : `  emitted: ${schema} (the table's own schema)`;
}

/** The golden text of a case: per query, the --explain table and the emitted row schema. */
export function caseReport(typed: TypedCase): string {
  return typed.queries.map((q) => `${explainQuery(q)}\n${emittedRow(typed.files, q)}\n`).join('\n');
}
