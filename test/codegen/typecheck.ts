import assert from 'node:assert/strict';
import { execFile as execFileCb } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { write } from '../../codegen/write.js';
import { REPO_ROOT } from '../support/database.js';

const execFile = promisify(execFileCb);

/**
 * Writes generated files (by path relative to the output directory) into a temporary `db/` and runs strict tsc
 * on them as a service would: `sqlwright/runtime` resolves to this checkout, as node_modules/sqlwright would to
 * the installed package. Fails the test with tsc's output.
 */
export async function assertTypechecks(files: ReadonlyMap<string, string>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-typecheck-'));
  try {
    write(path.join(dir, 'db'), new Map(files));
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
}
