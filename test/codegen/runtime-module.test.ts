import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile as execFileCb } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from '../../codegen/config.js';
import { runtimeModuleForOutput, runtimeSpecifier } from '../../codegen/emit/runtime-module.js';
import { runCodegen } from '../../codegen/pipeline.js';
import { write } from '../../codegen/write.js';
import { REPO_ROOT, testServer } from '../support/database.js';

const execFile = promisify(execFileCb);
const CASE = path.join(REPO_ROOT, 'test/codegen/cases/all-types');

describe('the runtime module generated code imports', () => {
  it('by default the package, sqlwright/runtime: emitted into another directory, the files typecheck against it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-runtime-'));
    try {
      const out = path.join(dir, 'db');
      const config = { root: CASE, schemaDir: path.join(CASE, 'schema'), queriesDir: path.join(CASE, 'queries'), outDir: out };
      const { files } = await runCodegen(config, { env: { CODEGEN_DATABASE_URL: (await testServer()).adminUrl } });
      write(out, files);
      const imported = new Set([...files.values()].flatMap((text) => [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1])).filter((s) => !s.startsWith('./') && !s.startsWith('../')));
      assert.deepEqual([...imported], ['sqlwright/runtime'], 'the package is the one thing generated code imports by name');
      // "sqlwright" resolves to this checkout, as a service's node_modules/sqlwright would to the installed package.
      writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true,
            types: ['node'], typeRoots: [path.join(REPO_ROOT, 'node_modules/@types')],
            paths: { 'sqlwright/runtime': [path.join(REPO_ROOT, 'src/repository-runtime.ts')] },
          },
          include: ['db/**/*.ts'],
        }),
      );
      await execFile(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir]).catch((error) => assert.fail(`tsc: ${error.stdout}${error.stderr}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
