import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { ConflictError, DatabaseError, NestedTransactionError, ReadOnlyError, TransactionAbortedError } from '../../../src/errors.js';
import { openDatabase } from '../../../src/database.js';
import { captureLogger, testDatabaseConfig } from '../../support/runtime.js';
import { fixtureSql, inTransaction, insertUser, openFixture, q } from './helpers.js';

const countUsers = async (d: Parameters<typeof q>[0]) => Number((await q<{ n: number }>(d, 'SELECT count(*) AS n FROM app.users'))[0].n);

test('commit keeps the writes, rollback drops them', async () => {
  const d = await openFixture();
  try {
    await inTransaction(d, async (c) => { await insertUser(c, 'Kept'); });
    const c = await d.acquire();
    await c.begin();
    await insertUser(c, 'Dropped');
    await c.rollback();
    c.release();
    assert.deepEqual((await q(d, 'SELECT first_name FROM app.users')).map((r) => r.first_name), ['Kept']);
  } finally {
    await d.close();
  }
});

test('a throw inside the transaction leaves nothing written', async () => {
  const d = await openFixture();
  try {
    await assert.rejects(inTransaction(d, async (c) => {
      await insertUser(c, 'Ghost');
      await c.query(`INSERT INTO app.tasks (title, owner_id) SELECT 'ghost task', id FROM app.users`);
      throw new Error('boom');
    }), /boom/);
    assert.equal(await countUsers(d), 0);
    assert.equal((await q(d, 'SELECT count(*) AS n FROM app.tasks'))[0].n, 0);
  } finally {
    await d.close();
  }
});

test('release() rolls back a transaction left open', async () => {
  const d = await openFixture();
  try {
    const c = await d.acquire();
    await c.begin();
    await insertUser(c, 'Abandoned');
    c.release();
    assert.equal(await countUsers(d), 0);
  } finally {
    await d.close();
  }
});

test('savepoints: rolling back the inner one keeps the outer work', async () => {
  const d = await openFixture();
  try {
    await inTransaction(d, async (c) => {
      await insertUser(c, 'Outer');
      await c.query('SAVEPOINT sp1');
      await insertUser(c, 'Inner');
      await c.query('ROLLBACK TO SAVEPOINT sp1');
      await c.query('RELEASE SAVEPOINT sp1');
      await c.query('SAVEPOINT sp2');
      await insertUser(c, 'Second');
      await c.query('RELEASE SAVEPOINT sp2');
    });
    assert.deepEqual((await q(d, 'SELECT first_name FROM app.users ORDER BY first_name')).map((r) => r.first_name), ['Outer', 'Second']);
  } finally {
    await d.close();
  }
});

test('after an error the transaction is aborted until ROLLBACK (TO SAVEPOINT), as in PostgreSQL', async () => {
  const d = await openFixture();
  try {
    const c = await d.acquire();
    await c.begin();
    await insertUser(c, 'First');
    await c.query('SAVEPOINT sp');
    await assert.rejects(insertUser(c, 'First'), ConflictError);
    await assert.rejects(c.query('SELECT 1'), (e: unknown) => e instanceof DatabaseError && e.sqlState === '25P02');
    await c.query('ROLLBACK TO SAVEPOINT sp');
    await insertUser(c, 'Second');
    await c.commit();
    c.release();
    assert.equal(await countUsers(d), 2);

    // Without a savepoint, commit() of the aborted transaction rolls it all back and says so, as on PostgreSQL.
    const c2 = await d.acquire();
    await c2.begin();
    await insertUser(c2, 'Third');
    await assert.rejects(insertUser(c2, 'Third'), ConflictError);
    await assert.rejects(c2.commit(), (e: unknown) => e instanceof TransactionAbortedError && e.sqlState === '25P02');
    c2.release();
    assert.equal(await countUsers(d), 2);
  } finally {
    await d.close();
  }
});

test('the mutex serializes two concurrent transactions (no lost update, one after the other)', async () => {
  const d = await openFixture();
  try {
    await d.exec(`CREATE TABLE app.counter (n INTEGER NOT NULL) STRICT; INSERT INTO app.counter VALUES (0);`);
    const events: string[] = [];
    const increment = (who: string) => inTransaction(d, async (c) => {
      events.push(`${who} begin`);
      const { rows } = await c.query<{ n: number }>('SELECT n FROM app.counter');
      await tick(); // give the other transaction every chance to interleave
      await c.query('UPDATE app.counter SET n = $1', [rows[0].n + 1]);
      events.push(`${who} commit`);
    });
    await Promise.all([increment('A'), increment('B')]);
    assert.deepEqual(events, ['A begin', 'A commit', 'B begin', 'B commit']);
    assert.equal((await q(d, 'SELECT n FROM app.counter'))[0].n, 2);
  } finally {
    await d.close();
  }
});

test('waiters are served in arrival order and counted in status()', async () => {
  const d = await openFixture();
  try {
    const first = await d.acquire();
    assert.deepEqual(d.status(), { size: 1, checkedIn: 0, checkedOut: 1, overflow: 0, invalid: 0, waiting: 0, total: 1, max: 1 });
    const order: number[] = [];
    const waiters = [1, 2, 3].map((i) => d.acquire().then((c) => { order.push(i); c.release(); }));
    assert.equal(d.status().waiting, 3);
    first.release();
    await Promise.all(waiters);
    assert.deepEqual(order, [1, 2, 3]);
    assert.deepEqual(d.status(), { size: 1, checkedIn: 1, checkedOut: 0, overflow: 0, invalid: 0, waiting: 0, total: 1, max: 1 });
  } finally {
    await d.close();
  }
});

test('a released lease cannot be used again, and a second release does not free someone else', async () => {
  const d = await openFixture();
  try {
    const c = await d.acquire();
    c.release();
    await assert.rejects(c.query('SELECT 1'), /already released/);
    const holder = await d.acquire();
    c.release();
    assert.equal(d.status().checkedOut, 1);
    holder.release();
  } finally {
    await d.close();
  }
});

test('a read-only transaction refuses writes with ReadOnlyError and leaves the connection writable after', async () => {
  const d = await openFixture();
  try {
    await assert.rejects(inTransaction(d, (c) => insertUser(c, 'Nope'), { readOnly: true }), ReadOnlyError);
    await insertUser(d, 'Yes');
    assert.equal(await countUsers(d), 1);
  } finally {
    await d.close();
  }
});

test('begin inside a transaction is refused (nest with savepoints)', async () => {
  const d = await openFixture();
  try {
    await assert.rejects(inTransaction(d, (c) => c.begin()), (e: unknown) => e instanceof DatabaseError && e.sqlState === '25001');
  } finally {
    await d.close();
  }
});

test('now() is stable inside a transaction and moves on after it', async () => {
  const d = await openFixture();
  try {
    const [first, second] = await inTransaction(d, async (c) => {
      const a = (await c.query<{ t: string }>('SELECT now() AS t')).rows[0].t;
      await new Promise((resolve) => setTimeout(resolve, 5));
      const id = await insertUser(c, 'Clock');
      const row = (await c.query<{ created_at: string; t: string }>('SELECT created_at, now() AS t FROM app.users WHERE id = $1', [id])).rows[0];
      assert.equal(row.created_at, a, 'a default now() in the same transaction');
      return [a, row.t];
    });
    assert.equal(first, second);
    assert.match(first, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const after = (await q<{ t: string }>(d, 'SELECT now() AS t'))[0].t;
    assert.ok(after > first, `${after} > ${first}`);
  } finally {
    await d.close();
  }
});

test('db.transaction on SQLite: a caught statement error fails the commit; a nested readOnly cannot join a read-write one', async () => {
  const logger = captureLogger();
  const db = openDatabase(testDatabaseConfig('sqlite::memory:'), { logger });
  try {
    await db.exec(fixtureSql);
    const insert = `INSERT INTO app.users (first_name, last_name, email) VALUES ('S', 'Wallowed', 's@example.com')`;
    const aborted = await db.transaction(async (ex) => {
      await ex.query(insert);
      await ex.query(insert).catch(() => undefined); // ConflictError, caught
      return 'looks fine';
    }).catch((e) => e);
    assert.ok(aborted instanceof TransactionAbortedError, String(aborted));
    assert.ok(logger.lines.some((l) => l.msg === 'Database transaction failed' && l.obj.error_type === 'TransactionAbortedError'));

    let ran = false;
    const nested = await db.transaction(() => db.readOnly(async () => { ran = true; })).catch((e) => e);
    assert.ok(nested instanceof NestedTransactionError, String(nested));
    assert.equal(ran, false);
    assert.equal((await db.executor.query<{ n: number }>('SELECT count(*) AS n FROM app.users')).rows[0].n, 0);
  } finally {
    await db.close();
  }
});
