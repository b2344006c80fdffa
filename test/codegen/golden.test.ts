import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodegenConfig } from '../../codegen/config.js';
import { CodegenError } from '../../codegen/errors.js';
import { runCodegen } from '../../codegen/pipeline.js';
import { compare, write } from '../../codegen/write.js';
import { testServer } from '../support/database.js';
import { assertTypechecks } from './typecheck.js';

/**
 * One folder per case under cases/: schema/NNNN_*.sql, queries/*.sql, and either expected/ (the generated
 * files, each with a `.golden` suffix so that tsc does not compile them) or expected-error.txt. Expected files
 * must also compile: a case whose names clash with what generated code declares proves they do not.
 * UPDATE_GOLDEN=1 rewrites the expected files.
 */
const CASES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cases');
const GOLDEN = '.golden';

function configOf(dir: string, outDir = path.join(dir, 'expected')): CodegenConfig {
  return { root: dir, schemaDir: path.join(dir, 'schema'), queriesDir: path.join(dir, 'queries'), outDir };
}

async function env(): Promise<NodeJS.ProcessEnv> {
  return { CODEGEN_DATABASE_URL: (await testServer()).adminUrl };
}

const withSuffix = (files: Map<string, string>) => new Map([...files].map(([f, text]) => [f + GOLDEN, text]));

describe('codegen golden cases', () => {
  for (const name of readdirSync(CASES).sort()) {
    const dir = path.join(CASES, name);
    const errorFile = path.join(dir, 'expected-error.txt');
    if (existsSync(errorFile)) {
      it(`${name}: fails with the expected problems`, async () => {
        await assert.rejects(runCodegen(configOf(dir), { env: await env() }), (error: unknown) => {
          assert.ok(error instanceof CodegenError, String(error));
          if (process.env.UPDATE_GOLDEN === '1') writeFileSync(errorFile, error.message + '\n');
          assert.equal(error.message + '\n', readFileSync(errorFile, 'utf8'));
          return true;
        });
      });
    } else {
      it(`${name}: generates the expected files, byte for byte, twice, and they typecheck`, async () => {
        const { files } = await runCodegen(configOf(dir), { env: await env() });
        const first = withSuffix(files);
        const second = withSuffix((await runCodegen(configOf(dir), { env: await env() })).files);
        assert.deepEqual([...second], [...first], 'two runs must give identical output');
        if (process.env.UPDATE_GOLDEN === '1') write(path.join(dir, 'expected'), first);
        assert.deepEqual(compare(path.join(dir, 'expected'), first), [], 'run with UPDATE_GOLDEN=1 to accept the new output');
        await assertTypechecks(files);
      });
    }
  }

  it('the scratch database is dropped after a run, also after a failure', async () => {
    const { adminUrl } = await testServer();
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      const count = async () => Number((await client.query(`SELECT count(*) AS n FROM pg_database WHERE datname LIKE 'sqlwright_codegen_${process.pid}_%'`)).rows[0].n);
      const out = mkdtempSync(path.join(tmpdir(), 'sqlwright-codegen-'));
      try {
        await runCodegen(configOf(path.join(CASES, 'all-types'), out), { env: await env() });
        await assert.rejects(runCodegen(configOf(path.join(CASES, 'bad-query'), out), { env: await env() }), CodegenError);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
      assert.equal(await count(), 0);
    } finally {
      await client.end();
    }
  });
});
