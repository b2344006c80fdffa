import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile as execFileCb } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { runCodegen } from '../../codegen/pipeline.js';
import { write } from '../../codegen/write.js';
import { REPO_ROOT, createTestDatabase, testServer, type TestDatabase } from '../support/database.js';

const execFile = promisify(execFileCb);
const npm = (args: string[], cwd: string) => execFile('npm', args, { cwd, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, npm_config_loglevel: 'error' } });

/** How services use us: `npm pack`, install the tarball into a fresh TypeScript project, typecheck, run a query. */
describe('the packed package, installed into another TypeScript project', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-consumer-'));
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase();
    await npm(['run', 'build'], REPO_ROOT);
    const { stdout } = await npm(['pack', '--pack-destination', dir, '--json'], REPO_ROOT);
    const tarball = path.join(dir, JSON.parse(stdout)[0].filename);
    const project = path.join(dir, 'service');
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'service', type: 'module', private: true }));
    // From the npm cache where it can, without install scripts: better-sqlite3's native build is borrowed from
    // this checkout (the consumer runs on PostgreSQL; only the SQLite dialect would load it).
    await npm(['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball, '@types/node@20.19.43'], project);
    cpSync(path.join(REPO_ROOT, 'node_modules/better-sqlite3/build'), path.join(project, 'node_modules/better-sqlite3/build'), { recursive: true });
    // The service's own generated code (a fixture schema, the default runtime module): it imports sqlwright/runtime.
    const fixture = path.join(REPO_ROOT, 'test/codegen/cases/all-types');
    const codegenConfig = { root: fixture, schemaDir: path.join(fixture, 'schema'), queriesDir: path.join(fixture, 'queries'), outDir: path.join(project, 'db') };
    write(codegenConfig.outDir, (await runCodegen(codegenConfig, { env: { CODEGEN_DATABASE_URL: (await testServer()).adminUrl } })).files);
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, outDir: 'out', types: ['node'] } }),
    );
    writeFileSync(
      path.join(project, 'main.ts'),
      `import { openDatabase, loadConfig, ConflictError, type Database } from 'sqlwright';
import { ensureSchema } from 'sqlwright';
import { Repositories, type User } from 'sqlwright/generated';

const db: Database<Repositories> = openDatabase(loadConfig({ env: { APP_ENV: 'test', DATABASE_URL: process.argv[2] } }), {
  repositories: (executor) => new Repositories(executor),
});
try {
  await ensureSchema(db);
  const user: User = await db.transaction((repos) => repos.users.create({ firstName: 'Consumer', lastName: 'Check', email: 'c@example.com' }));
  const again = await db.repositories.users.create({ firstName: 'X', lastName: 'Y', email: 'c@example.com' }).catch((e: unknown) => e);
  const found = await db.repositories.users.findUserByEmail({ email: 'c@example.com' });
  console.log(JSON.stringify({ id: user.id, found: found.length, conflict: again instanceof ConflictError }));
} finally {
  await db.close();
}
`,
    );
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  });

  it('typechecks against the published .d.ts (its own generated code too) and runs a query by package name', async () => {
    const project = path.join(dir, 'service');
    assert.ok(readdirSync(path.join(project, 'node_modules/sqlwright/dist/generated')).includes('index.d.ts'));
    assert.match(readFileSync(path.join(project, 'db/repositories/sample-repository.ts'), 'utf8'), /from 'sqlwright\/runtime'/);
    await execFile(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: project });
    const { stdout } = await execFile(process.execPath, ['out/main.js', db.url], { cwd: project, env: { PATH: process.env.PATH } });
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    assert.match(result.id, /^[0-9a-f-]{36}$/);
    assert.equal(result.found, 1);
    assert.equal(result.conflict, true);
  });
});
