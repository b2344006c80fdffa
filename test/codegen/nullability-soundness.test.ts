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
 * runs against the fixture rows (NULL wherever the schema allows, join partners missing) and against empty
 * tables (aggregates over no rows), with parameters drawn from the fixture rows; no column inferred non-null
 * may come back NULL (`AS "col!"` overrides are the author's claim and are not checked here). Every query
 * must run without error (a constraint the chosen parameters violate excepted) and return, or change, at
 * least one row in some state: a query that never does proves nothing.
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

/** The table contents a query runs against; each state is set up inside a transaction that is rolled back. */
const STATES: { name: string; setUp: (client: pg.Client, catalog: Catalog) => Promise<unknown> }[] = [
  { name: 'fixture rows', setUp: async () => undefined },
  { name: 'empty tables', setUp: (client, catalog) => client.query(`TRUNCATE ${catalog.tables.map((t) => t.sqlName).join(', ')} CASCADE`) },
];

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
    const sample = sampleValue(p.type, 1, catalog);
    if (sample !== undefined) values.add(sample);
    if (p.type.kind === 'base' && p.type.name === 'text') values.add('%');
    if (p.type.kind === 'base' && ['int8', 'int4'].includes(p.type.name)) values.add('10');
    if (!p.required) values.add(null);
    return [...values];
  });
}

/** Up to MAX_RUNS_PER_QUERY combinations, spread evenly over all of them (every value of a lone parameter). */
function combinations(lists: unknown[][]): unknown[][] {
  let out: unknown[][] = [[]];
  for (const list of lists) out = out.flatMap((prefix) => list.map((v) => [...prefix, v]));
  if (out.length <= MAX_RUNS_PER_QUERY) return out;
  return Array.from({ length: MAX_RUNS_PER_QUERY }, (_, i) => out[Math.floor((i * out.length) / MAX_RUNS_PER_QUERY)]);
}

/** SQLSTATE class 23: the parameters broke a constraint (a duplicate key, a missing parent), not the query. */
const isConstraintViolation = (error: unknown) => String((error as { code?: unknown }).code ?? '').startsWith('23');

describe('inferred nullability is sound against real rows', () => {
  for (const source of sources()) {
    it(`${source.name}: every query returns rows, and no column typed non-null returns NULL`, async () => {
      const typed = await typeSources(source.schemaFiles, source.queryFiles);
      const client = new pg.Client({ connectionString: typed.db.url });
      await client.connect();
      try {
        const stored = await insertFixtures(client, typed.catalog);
        const runs = typed.queries.map((q) => ({ q, combos: combinations(candidates(q, typed.catalog, stored)) }));
        const problems: string[] = [];
        const productive = new Set<TypedQuery>();
        for (const state of STATES) {
          await client.query('BEGIN');
          try {
            await state.setUp(client, typed.catalog);
            for (const { q, combos } of runs) {
              for (const values of combos) {
                await client.query('SAVEPOINT run');
                try {
                  const result = await client.query({ text: q.text, values, rowMode: 'array' });
                  if ((result.rowCount ?? 0) > 0) productive.add(q);
                  for (const row of result.rows as unknown[][]) {
                    q.columns.forEach((c, i) => {
                      // `AS "col!"` is the author's claim, not an inference (a false one is a ValidationError at run time).
                      if (!c.nullable && !c.key.endsWith('!') && row[i] === null) problems.push(`${q.name}.${c.key} is typed non-null (${q.nullabilityRules?.[i]}) but was NULL on ${state.name} with params ${JSON.stringify(values)}`);
                    });
                  }
                } catch (error) {
                  if (!isConstraintViolation(error)) problems.push(`${q.name} failed on ${state.name} with params ${JSON.stringify(values)}: ${(error as Error).message}`);
                } finally {
                  await client.query('ROLLBACK TO SAVEPOINT run');
                }
              }
            }
          } finally {
            await client.query('ROLLBACK');
          }
        }
        for (const { q, combos } of runs) {
          if (!productive.has(q)) problems.push(`${q.name} returned or changed no row in any state (${combos.length} parameter combinations): it exercises nothing`);
        }
        assert.deepEqual([...new Set(problems)], []);
      } finally {
        await client.end();
        await typed.db.drop();
      }
    });
  }
});
