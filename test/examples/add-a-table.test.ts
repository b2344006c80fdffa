import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, createTestDatabase, type TestDatabase } from '../support/database.js';

/** The fenced blocks of a markdown file, each with the prose before it (where the doc names the block's file). */
function fencedBlocks(markdown: string): { lang: string; code: string; before: string }[] {
  const blocks: { lang: string; code: string; before: string }[] = [];
  let last = 0;
  for (const match of markdown.matchAll(/^ *```(\w+)\n([\s\S]*?)^ *```$/gm)) {
    const indent = /^ */.exec(match[0])![0].length;
    const code = match[2].split('\n').map((line) => line.slice(indent)).join('\n');
    blocks.push({ lang: match[1], code, before: markdown.slice(last, match.index) });
    last = match.index! + match[0].length;
  }
  return blocks;
}

/** Runs in the repository (for tsx and the relative paths), where a developer may keep a config.yaml: `config` names an empty one. */
function run(args: string[], config: string, env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const childEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', APP_ENV: 'test', CONFIG_FILE: config, ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', ...args], { cwd: REPO_ROOT, env: childEnv, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

/**
 * Follows examples/add-a-table.md in a copy of sql/: writes its migration and query where it says, generates
 * into a scratch directory, migrates PostgreSQL with `npm run migrate -- up`, and runs its step 4 code as written
 * on PostgreSQL and SQLite. The repository's own sql/ and generated/ are never touched.
 */
describe('examples/add-a-table.md, followed step by step', () => {
  const doc = readFileSync(path.join(REPO_ROOT, 'examples/add-a-table.md'), 'utf8');
  const work = mkdtempSync(path.join(tmpdir(), 'sqlwright-add-a-table-'));
  const blocks = fencedBlocks(doc);
  const emptyConfig = path.join(work, 'config.yaml');
  let pg: TestDatabase;

  before(async () => {
    cpSync(path.join(REPO_ROOT, 'sql'), path.join(work, 'sql'), { recursive: true });
    // A project laid out like this repository: sql/, src/ (the runtime) and a codegen config beside them.
    symlinkSync(path.join(REPO_ROOT, 'src'), path.join(work, 'src'));
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(work, 'node_modules'));
    writeFileSync(path.join(work, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(emptyConfig, '');
    writeFileSync(path.join(work, 'sqlwright.config.json'), JSON.stringify({ schemas: ['app'], runtimeModule: './src/repository-runtime.js' }));
    pg = await createTestDatabase();
  });
  after(async () => {
    await pg?.drop();
    rmSync(work, { recursive: true, force: true });
  });

  it('steps 1-2: the doc names a new migration and a query file, each a block to copy', () => {
    const sql = blocks.filter((b) => b.lang === 'sql');
    assert.equal(sql.length, 2, 'a migration and a query file');
    for (const block of sql) {
      const named = /^-- (sql\/\S+\.sql)\n/.exec(block.code)?.[1] ?? [...block.before.matchAll(/`(sql\/[\w/.-]+\.sql)`/g)].at(-1)?.[1];
      assert.ok(named, `no file named for the block\n${block.code}`);
      assert.equal(existsSync(path.join(REPO_ROOT, named)), false, `${named} already exists in the repository: renumber the doc's example`);
      mkdirSync(path.dirname(path.join(work, named)), { recursive: true });
      writeFileSync(path.join(work, named), block.code);
    }
  });

  it('step 3: codegen emits the entity, the repository with the new query, the SQLite table and repos.projects', async () => {
    const out = path.join(work, 'generated');
    const codegen = await run(['codegen/cli.ts', '--config', path.join(work, 'sqlwright.config.json')], emptyConfig);
    assert.equal(codegen.code, 0, codegen.out);
    const step3 = doc.slice(doc.indexOf('3. **Generate**'), doc.indexOf('4. **Use the repository**'));
    const named = [...step3.matchAll(/`generated\/([\w/.-]+)`/g)].map((m) => m[1]);
    assert.ok(named.length >= 4, step3);
    for (const file of named) assert.ok(existsSync(path.join(out, file)), `step 3 names generated/${file}, which codegen did not write`);
    assert.match(readFileSync(path.join(out, 'repositories/project-repository.ts'), 'utf8'), /listActiveProjectsOfOwner\(/);
    assert.match(readFileSync(path.join(out, 'sqlite/schema.sql'), 'utf8'), /CREATE TABLE IF NOT EXISTS "?app"?\."?projects"?/);
    assert.match(readFileSync(path.join(out, 'index.ts'), 'utf8'), /readonly projects: ProjectRepository;/);
  });

  it('step 5 then step 4: npm run migrate -- up applies the new file, and the doc\'s code runs on PostgreSQL and SQLite', async () => {
    const up = await run(['src/cli/migrate.ts', 'up', '--schema', path.join(work, 'sql/schema')], emptyConfig, { DATABASE_URL: pg.url });
    assert.equal(up.code, 0, up.out);
    assert.match(up.out, /^applied 0004_projects\.sql as \w+$/m);

    const step4 = blocks.find((b) => b.lang === 'ts');
    assert.ok(step4, 'step 4 shows the repository in use');
    const script = path.join(work, 'use-projects.ts');
    writeFileSync(script, [
      `import { Repositories } from './generated/index.js';`,
      `import { createJsonLogger, loadConfig, openDatabase } from './src/index.js';`,
      `import { ensureSchema } from './src/setup.js';`,
      `const db = openDatabase(loadConfig(), { repositories: (executor) => new Repositories(executor), logger: createJsonLogger({ level: 'warn' }) });`,
      `await ensureSchema(db, { schemaDir: ${JSON.stringify(path.join(work, 'sql/schema'))}, sqliteSchemaFile: ${JSON.stringify(path.join(work, 'generated/sqlite/schema.sql'))} });`,
      `const user = await db.repositories.users.create({ firstName: 'Margaret', lastName: 'Hamilton', email: 'mh@example.com' });`,
      step4.code,
      `console.log(JSON.stringify({ project: project.name, owner: project.ownerId === user.id, active: active.map((p) => p.name) }));`,
      `await db.close();`,
    ].join('\n'));
    for (const url of [pg.url, `sqlite:///${path.join(work, 'projects.db')}`]) {
      const used = await run([script], emptyConfig, { DATABASE_URL: url });
      assert.equal(used.code, 0, `${url}\n${used.out}`);
      assert.deepEqual(JSON.parse(used.out.trim().split('\n').at(-1)!), { project: 'Apollo', owner: true, active: ['Apollo'] });
    }
  });
});
