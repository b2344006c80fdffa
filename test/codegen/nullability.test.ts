import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inferNullability } from '../../codegen/typed/nullability/infer.js';
import { caseReport, typeCase } from './nullability/harness.js';

/**
 * One folder per nullability rule under nullability/cases/: query.sql, expected.txt and optionally schema.sql (added to nullability/schema.sql) (per
 * query, the `--explain` table and the emitted row schema). UPDATE_GOLDEN=1 rewrites expected.txt.
 */
const CASES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'nullability', 'cases');

describe('result nullability golden cases', () => {
  for (const name of readdirSync(CASES).sort()) {
    it(`${name}: emits the expected nullability`, async () => {
      const dir = path.join(CASES, name);
      const typed = await typeCase(dir);
      try {
        const report = caseReport(typed);
        const expectedFile = path.join(dir, 'expected.txt');
        if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expectedFile, report);
        assert.ok(existsSync(expectedFile), 'run with UPDATE_GOLDEN=1 to create expected.txt');
        assert.equal(report, readFileSync(expectedFile, 'utf8'), 'run with UPDATE_GOLDEN=1 to accept the new output');
      } finally {
        await typed.db.drop();
      }
    });
  }
});

describe("the database's NOT NULL of a relation outside the catalog", () => {
  const catalog = { schemas: [], tables: [], enums: [] };
  const notNull = (origin: string) => [{ name: 'v', origin, originNullable: false }];

  it('decides a column only when the database reports the column the name was resolved to', async () => {
    const sql = 'SELECT s.v FROM (SELECT amname AS v FROM pg_am) s';
    assert.equal((await inferNullability(sql, notNull('pg_catalog.pg_am.amname'), catalog, new Set()))[0].nullable, false);
    assert.equal((await inferNullability(sql, notNull('public.authors.name'), catalog, new Set()))[0].nullable, true);
  });

  it('is not trusted for an unqualified name an enclosing query could supply', async () => {
    // Were other.pg_am the one with amname, PostgreSQL would take the outer column (on a LEFT JOIN's nullable side).
    const sql = 'SELECT s.v FROM authors a LEFT JOIN other.pg_am o ON false CROSS JOIN LATERAL (SELECT amname AS v FROM pg_am) s';
    const [verdict] = await inferNullability(sql, notNull('other.pg_am.amname'), catalog, new Set());
    assert.equal(verdict.nullable, true, verdict.rule);
  });
});
