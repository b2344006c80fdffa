import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT } from '../support/database.js';

/** `npm run init-db` with a sqlite: URL, as a child process: it creates the tables from generated/sqlite/schema.sql. */
describe('init-db on SQLite', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-init-db-sqlite-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function initDb(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
    const childEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env };
    return new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cli/init-db.ts', ...args], { cwd: REPO_ROOT, env: childEnv }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr });
      });
    });
  }

  const tables = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
    } finally {
      db.close();
    }
  };

  it('creates every table, index and trigger from DATABASE_URL, and running it again changes nothing', async () => {
    const file = path.join(dir, 'app.db');
    for (let i = 0; i < 2; i++) {
      const { code, out } = await initDb([], { DATABASE_URL: `sqlite:///${file}` });
      assert.equal(code, 0, out);
      assert.match(out, /applied schema\.sql to sqlite:/);
    }
    assert.deepEqual(tables(file), [
      'tasks', 'tasks_owner_open_idx', 'tasks_touch_updated_at',
      'user_identities', 'user_identities_touch_updated_at', 'user_identities_user_id_idx',
      'users', 'users_touch_updated_at',
    ]);
  });

  it('finds a SQLite URL set only in config.yaml (CONFIG_FILE), as the application does', async () => {
    const file = path.join(dir, 'from-config.db');
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, `database: { url: "sqlite:///${file}" }\n`);
    const { code, out } = await initDb([], { CONFIG_FILE: config });
    assert.equal(code, 0, out);
    assert.ok(tables(file).includes('users'), out);
  });

  it('takes --url and --sqlite-schema', async () => {
    const file = path.join(dir, 'other.db');
    const schema = path.join(dir, 'schema.sql');
    writeFileSync(schema, 'CREATE TABLE IF NOT EXISTS app.only_this (id INTEGER PRIMARY KEY) STRICT;\n');
    const { code, out } = await initDb(['--url', `sqlite:///${file}`, '--sqlite-schema', schema]);
    assert.equal(code, 0, out);
    assert.deepEqual(tables(file), ['only_this']);
  });

  it('--provision on SQLite is a usage error that touches nothing', async () => {
    const file = path.join(dir, 'provision.db');
    const { code, out } = await initDb(['--provision'], { DATABASE_URL: `sqlite:///${file}` });
    assert.equal(code, 2, out);
    assert.match(out, /--provision creates PostgreSQL databases, roles and grants; SQLite has none/);
    assert.equal(existsSync(file), false);
  });

  it('a schema SQLite rejects fails with exit 1 and the reason', async () => {
    const schema = path.join(dir, 'broken.sql');
    writeFileSync(schema, 'CREATE TABLE app.x (id uuid PRIMARY KEY DEFAULT gen_random_uuid()) STRICT;\n');
    const { code, out } = await initDb(['--sqlite-schema', schema], { DATABASE_URL: `sqlite:///${path.join(dir, 'broken.db')}` });
    assert.equal(code, 1, out);
    assert.match(out, /^init-db: .*(syntax error|unknown datatype)/m);
  });
});
