import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Catalog, PgType } from '../../codegen/catalog/types.js';
import { readSqlFiles } from '../../codegen/pipeline.js';
import type { QueryFile, TypedQuery } from '../../codegen/typed/types.js';
import { REPO_ROOT } from '../support/database.js';
import { insertFixtures, sampleValue } from './nullability/fixtures.js';
import { caseSources, typeSources } from './nullability/harness.js';

/**
 * Soundness: every named query of sql/queries, of the codegen golden cases and of the nullability cases
 * runs against fixture rows with NULL wherever the schema allows and join partners missing, with
 * parameters drawn from those rows; no column inferred non-null may come back NULL (`AS "col!"` overrides
 * are the author's claim and are not checked here).
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));
const MAX_RUNS_PER_QUERY = 64;

interface Source {
  name: string;
  schemaFiles: QueryFile[];
  queryFiles: QueryFile[];
}

function sources(): Source[] {
  const fromDirs = (name: string, root: string, schemaDir: string, queriesDir: string): Source => ({
    name,
    schemaFiles: readSqlFiles(schemaDir, root),
    queryFiles: readSqlFiles(queriesDir, root),
  });
  const list = [fromDirs('sql/queries', REPO_ROOT, path.join(REPO_ROOT, 'sql/schema'), path.join(REPO_ROOT, 'sql/queries'))];
  const golden = path.join(HERE, 'cases');
  for (const c of readdirSync(golden).sort()) {
    if (!existsSync(path.join(golden, c, 'expected-error.txt'))) list.push(fromDirs(`cases/${c}`, path.join(golden, c), path.join(golden, c, 'schema'), path.join(golden, c, 'queries')));
  }
  const cases = path.join(HERE, 'nullability', 'cases');
  for (const c of readdirSync(cases).sort()) list.push({ name: `nullability/cases/${c}`, ...caseSources(path.join(cases, c)) });
  return list;
}

const sameType = (a: PgType, b: PgType) => a.kind === b.kind && a.name === b.name && a.array === b.array;

/** Candidate values per parameter: values of columns of its type in the fixtures, a sample, '%', and NULL if optional. */
function candidates(q: TypedQuery, catalog: Catalog, stored: Map<string, any[]>): unknown[][] {
  return [...q.params].sort((a, b) => a.index - b.index).map((p) => {
    const values = new Set<unknown>();
    for (const t of catalog.tables) {
      for (const c of t.columns) {
        if (!sameType(c.type, p.type)) continue;
        for (const row of stored.get(`${t.schema}.${t.name}`) ?? []) if (row[c.name] !== null && typeof row[c.name] !== 'object') values.add(String(row[c.name]));
      }
    }
    const sample = sampleValue(p.type, 0, catalog);
    if (sample !== undefined && !p.type.array && p.type.kind === 'base' && !['json', 'jsonb', 'bytea'].includes(p.type.name)) values.add(sample);
    if (p.type.kind === 'base' && p.type.name === 'text') values.add('%');
    if (p.type.kind === 'base' && ['int8', 'int4'].includes(p.type.name)) values.add('10');
    if (!p.required) values.add(null);
    return [...values].slice(0, 4);
  });
}

function combinations(lists: unknown[][]): unknown[][] {
  let out: unknown[][] = [[]];
  for (const list of lists) out = out.flatMap((prefix) => list.map((v) => [...prefix, v]));
  return out.slice(0, MAX_RUNS_PER_QUERY);
}

describe('inferred nullability is sound against real rows', () => {
  for (const source of sources()) {
    it(`${source.name}: no column typed non-null returns NULL`, async () => {
      const typed = await typeSources(source.schemaFiles, source.queryFiles);
      const client = new pg.Client({ connectionString: typed.db.url });
      await client.connect();
      try {
        const stored = await insertFixtures(client, typed.catalog);
        const violations: string[] = [];
        let rowsChecked = 0;
        for (const q of typed.queries) {
          for (const values of combinations(candidates(q, typed.catalog, stored))) {
            await client.query('BEGIN');
            try {
              const { rows } = await client.query({ text: q.text, values, rowMode: 'array' });
              for (const row of rows as unknown[][]) {
                rowsChecked++;
                q.columns.forEach((c, i) => {
                  // `AS "col!"` is the author's claim, not an inference (a false one is a ValidationError at run time).
                  if (!c.nullable && !c.key.endsWith('!') && row[i] === null) violations.push(`${q.name}.${c.key} is typed non-null (${q.nullabilityRules?.[i]}) but was NULL with params ${JSON.stringify(values)}`);
                });
              }
            } catch {
              // a parameter combination the statement rejects (constraint, cast): not a nullability question
            } finally {
              await client.query('ROLLBACK');
            }
          }
        }
        assert.deepEqual([...new Set(violations)], []);
        assert.ok(rowsChecked > 0, 'the queries returned no rows at all: the fixtures exercise nothing');
      } finally {
        await client.end();
        await typed.db.drop();
      }
    });
  }
});
