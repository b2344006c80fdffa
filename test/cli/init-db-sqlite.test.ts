import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../support/run-cli.js';

/** `npm run init-db` with a sqlite: URL, as a child process: it creates the tables from generated/sqlite/schema.sql. */
describe('init-db on SQLite', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-init-db-sqlite-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const initDb = (args: string[], env: Record<string, string> = {}, cwd = dir) => runCli('init-db', args, cwd, env);
  /** A fresh working directory: no config.yaml, no database.db. */
  const freshDirectory = (name: string) => {
    const cwd = path.join(dir, name);
    mkdirSync(cwd);
    return cwd;
  };

  const tables = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
    } finally {
      db.close();
    }
  };

  it('with nothing configured (a fresh clone), creates ./database.db as the application would open it', async () => {
    const cwd = freshDirectory('fresh-clone');
    const { code, out } = await initDb([], {}, cwd);
    assert.equal(code, 0, out);
    assert.equal(out.trim(), 'applied schema.sql to sqlite:///database.db (SQLite; tables created if missing)');
    assert.ok(tables(path.join(cwd, 'database.db')).includes('users'));

    const migrate = await runCli('migrate', ['up'], cwd);
    assert.equal(migrate.code, 2, migrate.out);
    assert.match(migrate.out, /migrations are PostgreSQL-only\. `npm run init-db` creates the SQLite tables/);
  });

  it('takes config.yaml saying url: sqlite:///./database.db (the default, written out) the same way', async () => {
    const cwd = freshDirectory('explicit-default');
    writeFileSync(path.join(cwd, 'config.yaml'), 'database: { url: "sqlite:///./database.db" }\n');
    const { code, out } = await initDb([], {}, cwd);
    assert.equal(code, 0, out);
    assert.ok(tables(path.join(cwd, 'database.db')).includes('tasks'));
    const migrate = await runCli('migrate', ['status'], cwd);
    assert.equal(migrate.code, 2, migrate.out);
    assert.match(migrate.out, /^migrate: the database is sqlite:\/\/\/database\.db.*, which is SQLite: migrations are PostgreSQL-only/m);
  });

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

  it('warns that an in-memory database is gone when init-db exits', async () => {
    const { code, stdout, stderr } = await initDb([], { DATABASE_URL: 'sqlite::memory:' });
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /^applied schema\.sql to sqlite::memory:/);
    assert.match(stderr, /^warning: an in-memory database lives only in the process that opens it: these tables are gone now/);
  });

  it('finds a SQLite URL set only in config.yaml (CONFIG_FILE), as the application does', async () => {
    const file = path.join(dir, 'from-config.db');
    const config = path.join(dir, 'service.yaml');
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

  it('exit 2 for a usage mistake, 1 for a bad configuration, as migrate', async () => {
    const unknown = await initDb(['--nope']);
    assert.equal(unknown.code, 2, unknown.out);
    assert.match(unknown.stderr, /^init-db: Unknown option '--nope'/);
    const missing = await initDb(['--url', `sqlite:///${path.join(dir, 'x.db')}`], { CONFIG_FILE: path.join(dir, 'nope.yaml') });
    assert.equal(missing.code, 1, missing.out);
    assert.match(missing.stderr, /^init-db: .*nope\.yaml: ENOENT/);
    const help = await initDb(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: npm run init-db/);
  });
});
