import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Migrator, MigrationFailedError, MigrationVerifyError } from '../../src/migrate/migrator.js';
import { MigrationLockTimeoutError, MIGRATION_LOCK_KEY } from '../../src/migrate/lock.js';
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
      assert.match(error.message, /0004_broken\.sql failed at line 3, column 8: column "no_such_column" does not exist/);
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
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db.drop());

  it('two concurrent up runs apply each file exactly once', async () => {
    const [a, b] = await Promise.all([connect(db.url), connect(db.url)]);
    try {
      const results = await Promise.all([
        new Migrator(a, { dir: SCHEMA_DIR }).up(),
        new Migrator(b, { dir: SCHEMA_DIR }).up(),
      ]);
      const total = results[0].length + results[1].length;
      const { rows } = await a.query('SELECT version, count(*)::int AS n FROM sqlwright.schema_migrations GROUP BY version');
      assert.equal(total, rows.length, 'each file applied by exactly one of the two runs');
      assert.ok(rows.every((r) => r.n === 1));
      assert.ok(results.some((r) => r.length === 0), 'the second run found nothing pending');
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('a migrator that cannot get the lock in time fails with a clear message', async () => {
    const holder = await connect(db.url);
    const waiter = await connect(db.url);
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await assert.rejects(
        new Migrator(waiter, { dir: SCHEMA_DIR, lockTimeoutMs: 200 }).up(),
        (error: unknown) => error instanceof MigrationLockTimeoutError && /another migration holds the migration lock/.test(error.message),
      );
    } finally {
      await Promise.all([holder.end(), waiter.end()]);
    }
  });
});
