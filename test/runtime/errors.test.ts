import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type Database } from '../../src/database.js';
import {
  CheckViolationError, ConflictError, DatabaseUnavailableError, ForeignKeyError, NotFoundError, PoolTimeoutError,
  QueryTimeoutError, SerializationError, ValidationError, httpStatusOf,
} from '../../src/errors.js';
import { Repositories } from '../../generated/index.js';
import { freePort } from '../support/cluster.js';
import { createMigratedDatabase, type TestDatabase } from '../support/database.js';
import { captureLogger, testDatabaseConfig } from '../support/runtime.js';

describe('typed errors from real statements', () => {
  let tdb: TestDatabase;
  let db: Database;
  let userId: string;

  before(async () => {
    tdb = await createMigratedDatabase();
    db = openDatabase(testDatabaseConfig(tdb.url, { pool_size: 2, max_overflow: 0, pool_timeout: 0.3, statement_timeout: 0.2 }), { logger: captureLogger() });
    const { rows } = await db.executor.query<{ id: string }>(
      `INSERT INTO app.users (first_name, last_name, email) VALUES ('A', 'B', 'dup@example.com') RETURNING id`,
    );
    userId = rows[0].id;
  });
  after(async () => {
    await db.close();
    await tdb.drop();
  });

  it('unique violation -> ConflictError with constraint and columns (409)', async () => {
    await db.executor.query(`INSERT INTO app.user_identities (user_id, provider, subject) VALUES ($1, 'google', 's')`, [userId]);
    const error = await db.executor
      .query(`INSERT INTO app.user_identities (user_id, provider, subject) VALUES ($1, 'google', 's')`, [userId])
      .catch((e) => e);
    assert.ok(error instanceof ConflictError);
    assert.equal(error.constraint, 'user_identities_provider_subject_key');
    assert.deepEqual(error.columns, ['provider', 'subject']);
    assert.equal((error.cause as any).code, '23505');
    assert.equal(httpStatusOf(error), 409);
  });

  it('foreign key -> ForeignKeyError (400)', async () => {
    const error = await db.executor
      .query(`INSERT INTO app.tasks (title, owner_id) VALUES ('t', '00000000-0000-0000-0000-000000000000')`)
      .catch((e) => e);
    assert.ok(error instanceof ForeignKeyError);
    assert.equal(error.constraint, 'tasks_owner_id_fkey');
    assert.equal(httpStatusOf(error), 400);
  });

  it('check constraint, not null and bad enum -> CheckViolationError', async () => {
    for (const sql of [
      `INSERT INTO app.tasks (title, owner_id, priority) VALUES ('t', $1, 99)`,
      `INSERT INTO app.tasks (title, owner_id) VALUES (NULL, $1)`,
      `INSERT INTO app.tasks (title, owner_id, status) VALUES ('t', $1, 'blocked')`,
    ]) {
      const error = await db.executor.query(sql, [userId]).catch((e) => e);
      assert.ok(error instanceof CheckViolationError, `${sql}: ${error}`);
    }
  });

  it('repository calls: a missing row -> NotFoundError (404), invalid input -> ValidationError (400)', async () => {
    const repos = new Repositories(db.executor);
    const missing = await repos.users.getOrThrow('00000000-0000-0000-0000-000000000000').catch((e) => e);
    assert.ok(missing instanceof NotFoundError, String(missing));
    assert.equal(httpStatusOf(missing), 404);
    // a key that is not a uuid: rejected before any SQL (PostgreSQL would have answered 22P02)
    const invalid = await repos.users.getOrThrow('not-a-uuid').catch((e) => e);
    assert.ok(invalid instanceof ValidationError, String(invalid));
    assert.equal(httpStatusOf(invalid), 400);
  });

  it('statement timeout -> QueryTimeoutError, and the connection is usable afterwards', async () => {
    const error = await db.executor.query('SELECT pg_sleep(5)').catch((e) => e);
    assert.ok(error instanceof QueryTimeoutError, String(error));
    assert.equal(httpStatusOf(error), 503);
    const { rows } = await db.executor.query<{ one: number }>('SELECT 1 AS one');
    assert.equal(rows[0].one, 1);
  });

  it('deadlock -> SerializationError', async () => {
    const { rows } = await db.executor.query<{ id: string }>(
      `INSERT INTO app.users (first_name, last_name) VALUES ('x', 'lock1'), ('y', 'lock2') RETURNING id`,
    );
    const [a, b] = rows.map((r) => r.id);
    let step = 0;
    const waitFor = async (n: number) => {
      while (step < n) await new Promise((r) => setTimeout(r, 5));
    };
    const results = await Promise.allSettled([
      db.transaction(async (ex) => {
        await ex.query(`SELECT set_config('statement_timeout', '5s', true)`);
        await ex.query(`UPDATE app.users SET first_name = 'a' WHERE id = $1`, [a]);
        step++;
        await waitFor(2);
        await ex.query(`UPDATE app.users SET first_name = 'a' WHERE id = $1`, [b]);
      }),
      db.transaction(async (ex) => {
        await ex.query(`SELECT set_config('statement_timeout', '5s', true)`);
        await waitFor(1);
        await ex.query(`UPDATE app.users SET first_name = 'b' WHERE id = $1`, [b]);
        step++;
        await ex.query(`UPDATE app.users SET first_name = 'b' WHERE id = $1`, [a]);
      }),
    ]);
    const failures = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    assert.equal(failures.length, 1);
    assert.ok(failures[0] instanceof SerializationError, String(failures[0]));
    assert.equal((failures[0].cause as any).code, '40P01');
  });

  it('pool exhausted -> PoolTimeoutError with the pool status', async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const holders = [db.session(() => hold), db.session(() => hold)];
    await new Promise((r) => setTimeout(r, 50));
    const error = await db.executor.query('SELECT 1').catch((e) => e);
    release();
    await Promise.all(holders);
    assert.ok(error instanceof PoolTimeoutError, String(error));
    assert.equal(error.status.checkedOut, 2);
    assert.match(error.message, /pool limit of size 2 overflow 0 reached, connection timed out, timeout 0.3s/);
    assert.equal(httpStatusOf(error), 503);
  });

  it('unreachable server -> DatabaseUnavailableError, quickly rather than after the pool timeout', async () => {
    const port = await freePort();
    const down = openDatabase(testDatabaseConfig(`postgresql://postgres@127.0.0.1:${port}/x`, { pool_timeout: 20 }), { logger: captureLogger() });
    try {
      const started = performance.now();
      const error = await down.executor.query('SELECT 1').catch((e) => e);
      const elapsedMs = performance.now() - started;
      assert.ok(error instanceof DatabaseUnavailableError, String(error));
      assert.equal(httpStatusOf(error), 503);
      assert.ok(elapsedMs < 10_000, `failed after ${Math.round(elapsedMs)} ms, not at once (pool timeout 20 s)`);
    } finally {
      await down.close();
    }
  });
});
