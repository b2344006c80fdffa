import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
