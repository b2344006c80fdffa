import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Migrator, MigrationFailedError, MigrationVerifyError } from '../../src/migrate/migrator.js';
import { MigrationLockTimeoutError, MIGRATION_LOCK_KEY } from '../../src/migrate/lock.js';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase } from '../../src/database.js';
import { silentLogger } from '../../src/log.js';
import { ensureSchema } from '../../src/setup.js';
import { SCHEMA_DIR, createTestDatabase, type TestDatabase } from '../support/database.js';

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

function copyOfSchema(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-schema-'));
  cpSync(SCHEMA_DIR, dir, { recursive: true });
  return dir;
}

describe('migrator', () => {
  let db: TestDatabase;
  let client: pg.Client;
  const dirs: string[] = [];
  const scratchDir = () => {
    const d = copyOfSchema();
    dirs.push(d);
    return d;
  };

  before(async () => {
    db = await createTestDatabase();
    client = await connect(db.url);
  });
  after(async () => {
    await client.end();
    await db.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('applies every migration to an empty database and records them in the ledger', async () => {
    const migrator = new Migrator(client, { dir: SCHEMA_DIR });
    const before = await migrator.status();
    assert.equal(before.applied.length, 0);
    assert.ok(before.pending.length >= 3);
    const applied = await migrator.up();
    assert.deepEqual(applied.map((f) => f.fileName), before.pending.map((f) => f.fileName));
    const { rows } = await client.query(
      `SELECT version, name, checksum, duration_ms, applied_at FROM sqlwright.schema_migrations ORDER BY version`,
    );
    assert.equal(rows.length, applied.length);
    assert.match(rows[0].checksum, /^[0-9a-f]{64}$/);
    assert.ok(rows[0].applied_at instanceof Date);
    const tables = await client.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'app' ORDER BY 1`,
    );
    assert.deepEqual(tables.rows.map((r) => r.table_name), ['tasks', 'user_identities', 'users']);
  });

  it('a second up applies nothing and status shows nothing pending', async () => {
    const migrator = new Migrator(client, { dir: SCHEMA_DIR });
    assert.deepEqual(await migrator.up(), []);
    assert.equal((await migrator.status()).pending.length, 0);
    await migrator.verify();
  });

  it('verify fails when an applied file was edited or removed', async () => {
    const dir = scratchDir();
    appendFileSync(path.join(dir, '0002_users.sql'), '\n-- edited after it was applied\n');
    rmSync(path.join(dir, '0003_tasks.sql'));
    const migrator = new Migrator(client, { dir });
    await assert.rejects(migrator.verify(), (error: unknown) => {
      assert.ok(error instanceof MigrationVerifyError);
      assert.deepEqual(
        error.problems.map((p) => [p.name, p.problem]),
        [
          ['users', 'checksum-mismatch'],
          ['tasks', 'missing-file'],
        ],
      );
      return true;
    });
    await assert.rejects(migrator.up(), MigrationVerifyError);
  });

  it('a broken migration rolls back whole and leaves the ledger unchanged', async () => {
    const dir = scratchDir();
    writeFileSync(
      path.join(dir, '0004_broken.sql'),
      'CREATE TABLE app.half_done (id int);\nALTER TABLE app.users ADD COLUMN nickname text;\nSELECT no_such_column FROM app.users;\n',
    );
    const migrator = new Migrator(client, { dir });
    const ledgerBefore = await client.query('SELECT count(*)::int AS n FROM sqlwright.schema_migrations');
    await assert.rejects(migrator.up(), (error: unknown) => {
      assert.ok(error instanceof MigrationFailedError);
      assert.equal(error.fileName, '0004_broken.sql');
      assert.match(error.message, /0004_broken\.sql failed at line 3, column 8: column "no_such_column" does not exist \(SQLSTATE 42703\)/);
      assert.equal(error.sqlState, '42703');
      return true;
    });
    const ledgerAfter = await client.query('SELECT count(*)::int AS n FROM sqlwright.schema_migrations');
    assert.equal(ledgerAfter.rows[0].n, ledgerBefore.rows[0].n);
    const half = await client.query(`SELECT to_regclass('app.half_done') AS t`);
    assert.equal(half.rows[0].t, null);
    const col = await client.query(
      `SELECT 1 FROM information_schema.columns WHERE table_schema='app' AND table_name='users' AND column_name='nickname'`,
    );
    assert.equal(col.rowCount, 0);
  });

  it('rejects misnamed files instead of skipping them', async () => {
    const dir = scratchDir();
    writeFileSync(path.join(dir, '5_oops.sql'), 'SELECT 1;');
    await assert.rejects(new Migrator(client, { dir }).status(), /5_oops\.sql .* is not named NNNN_name\.sql/);
  });
});

describe('migrator concurrency', () => {
  let db: TestDatabase;
  // Each file bumps a sequence, which no rollback undoes: a file run twice, even by a run that then failed,
  // shows up in its count. The sleep keeps the first run inside its files while the second asks for the lock.
  const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-concurrent-'));
  for (let i = 1; i <= 3; i++) {
    writeFileSync(path.join(dir, `000${i}_step_${i}.sql`), `SELECT nextval('public.migration_runs_${i}'), pg_sleep(0.1);\n`);
  }
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('two concurrent up runs apply each file exactly once: one applies all, the other finds nothing pending', async () => {
    const [a, b] = await Promise.all([connect(db.url), connect(db.url)]);
    try {
      for (let i = 1; i <= 3; i++) await a.query(`CREATE SEQUENCE public.migration_runs_${i}`);
      const results = await Promise.all([new Migrator(a, { dir }).up(), new Migrator(b, { dir }).up()]);
      assert.deepEqual(results.map((r) => r.length).sort(), [0, 3], 'one run applied all three files, the other none');
      for (let i = 1; i <= 3; i++) {
        const { rows } = await a.query(`SELECT last_value::int AS runs, is_called FROM public.migration_runs_${i}`);
        assert.deepEqual(rows[0], { runs: 1, is_called: true }, `000${i}_step_${i}.sql ran exactly once`);
      }
      const ledger = await a.query('SELECT version FROM sqlwright.schema_migrations ORDER BY version');
      assert.deepEqual(ledger.rows.map((r) => r.version), [1, 2, 3]);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('a migrator that cannot get the lock in time fails with a clear message, also through db.session()', async () => {
    const holder = await connect(db.url);
    const waiter = await connect(db.url);
    const runtime = openDatabase(loadConfig({ values: { database: { url: db.url } }, env: { APP_ENV: 'test' } }), { logger: silentLogger });
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const timedOut = (error: unknown) => error instanceof MigrationLockTimeoutError && /another migration holds the migration lock/.test(error.message);
      await assert.rejects(new Migrator(waiter, { dir, lockTimeoutMs: 200 }).up(), timedOut);
      // The session's errors are sqlwright's (code 'database'); the lock timeout is still recognised by its SQLSTATE.
      await assert.rejects(runtime.session((_repos, session) => new Migrator(session, { dir, lockTimeoutMs: 200 }).up()), timedOut);
    } finally {
      await Promise.all([holder.end(), waiter.end(), runtime.close()]);
    }
  });

  it('leaves the session\'s own lock_timeout as it was, after success and after a timeout', async () => {
    const client = await connect(db.url);
    const holder = await connect(db.url);
    try {
      await client.query(`SET lock_timeout = '7s'`);
      await new Migrator(client, { dir, lockTimeoutMs: 200 }).up();
      assert.equal((await client.query('SHOW lock_timeout')).rows[0].lock_timeout, '7s');
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await assert.rejects(new Migrator(client, { dir, lockTimeoutMs: 200 }).up(), MigrationLockTimeoutError);
      assert.equal((await client.query('SHOW lock_timeout')).rows[0].lock_timeout, '7s');
      const held = await client.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`);
      assert.equal(held.rows[0].n, 0, 'a timed-out migrator holds no lock');
    } finally {
      await Promise.all([client.end(), holder.end()]);
    }
  });
});

describe('migrator through ensureSchema (the runtime\'s session)', () => {
  let db: TestDatabase;
  const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-ensure-'));
  before(async () => {
    db = await createTestDatabase();
    cpSync(SCHEMA_DIR, dir, { recursive: true });
  });
  after(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a failing migration with the server\'s SQLSTATE and position, not sqlwright\'s own error code', async () => {
    writeFileSync(path.join(dir, '0004_broken.sql'), 'CREATE TABLE app.half_done (id int);\n\nSELECT no_such_column FROM app.users;\n');
    const runtime = openDatabase(loadConfig({ values: { database: { url: db.url } }, env: { APP_ENV: 'test' } }), { logger: silentLogger });
    try {
      await assert.rejects(ensureSchema(runtime, { schemaDir: dir }), (error: unknown) => {
        assert.ok(error instanceof MigrationFailedError, String(error));
        assert.equal(error.message, 'migration 0004_broken.sql failed at line 3, column 8: column "no_such_column" does not exist (SQLSTATE 42703); it was rolled back');
        assert.equal(error.sqlState, '42703');
        return true;
      });
      const { rows } = await runtime.executor.query<{ n: number }>('SELECT count(*)::int AS n FROM sqlwright.schema_migrations');
      assert.equal(rows[0].n, 3, 'the three good files stay applied');
    } finally {
      await runtime.close();
    }
  });
});
