import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from '../../codegen/config.js';
import { runtimeModuleForOutput, runtimeSpecifier } from '../../codegen/emit/runtime-module.js';
import { runCodegen } from '../../codegen/pipeline.js';
import { REPO_ROOT, testServer } from '../support/database.js';

const CASE = path.join(REPO_ROOT, 'test/codegen/cases/all-types');

describe('the runtime module generated code imports', () => {
  // golden.test.ts typechecks each case's output against sqlwright/runtime resolved to this checkout.
  it('by default the package, sqlwright/runtime: the one module generated code imports by name', async () => {
    const config = { root: CASE, schemaDir: path.join(CASE, 'schema'), queriesDir: path.join(CASE, 'queries'), outDir: path.join(tmpdir(), 'unused') };
    const { files } = await runCodegen(config, { env: { CODEGEN_DATABASE_URL: (await testServer()).adminUrl } });
    const imported = new Set([...files.values()].flatMap((text) => [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1])).filter((s) => !s.startsWith('./') && !s.startsWith('../')));
    assert.deepEqual([...imported], ['sqlwright/runtime'], 'the package is the one thing generated code imports by name');
  });

  it('a path in the config is relative to the config file, and each generated file imports it relative to itself', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-runtime-config-'));
    try {
      writeFileSync(path.join(dir, 'sqlwright.config.json'), JSON.stringify({ outDir: 'src/db', runtimeModule: './lib/runtime.js' }));
      const { config } = parseArgs([], dir);
      assert.equal(config.runtimeModule, path.join(dir, 'lib/runtime.js'));
      const forOutput = runtimeModuleForOutput(config.runtimeModule, config.outDir);
      assert.equal(forOutput, '../../lib/runtime.js');
      assert.equal(runtimeSpecifier(forOutput, 'index.ts'), '../../lib/runtime.js');
      assert.equal(runtimeSpecifier(forOutput, 'repositories/item-repository.ts'), '../../../lib/runtime.js');
      // A module inside the output directory, in a dot folder: still a path, never a bare package specifier.
      writeFileSync(path.join(dir, 'sqlwright.config.json'), JSON.stringify({ outDir: 'db', runtimeModule: './db/.runtime/index.js' }));
      const dotted = runtimeModuleForOutput(parseArgs([], dir).config.runtimeModule, path.join(dir, 'db'));
      assert.equal(runtimeSpecifier(dotted, 'index.ts'), './.runtime/index.js');
      assert.equal(runtimeSpecifier(dotted, 'entities/item.ts'), '../.runtime/index.js');
      writeFileSync(path.join(dir, 'sqlwright.config.json'), JSON.stringify({ outDir: 'db' }));
      assert.equal(runtimeSpecifier(runtimeModuleForOutput(parseArgs([], dir).config.runtimeModule, path.join(dir, 'db')), 'entities/item.ts'), 'sqlwright/runtime');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
