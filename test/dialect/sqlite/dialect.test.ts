import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseError, DatabaseUnavailableError, PoolTimeoutError, SerializationError } from '../../../src/errors.js';
import { createSqliteDialect, sqliteCodec } from '../../../src/dialect/sqlite/index.js';
import { fixtureSql, inTransaction, insertUser, openFixture, q, tempDir } from './helpers.js';

test('a file database is attached as app, in WAL mode, and keeps its data across reopen', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, 'dev.db');
    const d = await openFixture({ filename: file });
    assert.deepEqual(await q(d, 'PRAGMA app.journal_mode'), [{ journal_mode: 'wal' }]);
    assert.deepEqual(await q(d, 'PRAGMA app.synchronous'), [{ synchronous: 1 }], 'NORMAL');
    assert.deepEqual(await q(d, 'PRAGMA foreign_keys'), [{ foreign_keys: 1 }]);
    await insertUser(d, 'Persisted');
    await d.close();
    const again = createSqliteDialect({ url: `sqlite:///${path.relative(process.cwd(), file)}` });
    assert.deepEqual((await q(again, 'SELECT first_name FROM app.users')).map((r) => r.first_name), ['Persisted']);
    await again.close();
  } finally {
    cleanup();
  }
});

test('further schemas live in sibling files', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const d = createSqliteDialect({ filename: path.join(dir, 'dev.db'), schemas: ['app', 'audit'] });
    await d.exec('CREATE TABLE audit.events (id INTEGER PRIMARY KEY, what TEXT) STRICT');
    await q(d, `INSERT INTO audit.events (what) VALUES ('x')`);
    await d.close();
    assert.ok(existsSync(path.join(dir, 'dev.audit.db')));
  } finally {
    cleanup();
  }
});

test('bad options are refused before anything is opened', () => {
  assert.throws(() => createSqliteDialect({}), DatabaseError);
  assert.throws(() => createSqliteDialect({ url: 'postgres://x/y' }), /invalid SQLite URL/);
  assert.throws(() => createSqliteDialect({ url: 'sqlite::memory:', schemas: ['app; DROP'] }), /invalid schemas/);
  assert.throws(() => createSqliteDialect({ url: 'sqlite::memory:', schemas: ['main'] }), /reserved/);
});

test('a file that cannot be opened is DatabaseUnavailableError', () => {
  assert.throws(() => createSqliteDialect({ filename: '/nonexistent-dir/sub/dev.db' }), DatabaseUnavailableError);
});

test('the same text is prepared once; the cache is a bounded LRU', async () => {
  const d = await openFixture({ statementCacheSize: 2 });
  try {
    const before = d.statementCacheStats().prepared;
    for (let i = 0; i < 5; i++) await q(d, 'SELECT count(*) AS n FROM app.users WHERE first_name = $1', [`n${i}`]);
    assert.equal(d.statementCacheStats().prepared - before, 1);
    assert.ok(d.statementCacheStats().hits >= 4);
    const base = d.statementCacheStats().prepared;
    for (const text of ['SELECT 1 AS a', 'SELECT 2 AS a', 'SELECT 3 AS a', 'SELECT 1 AS a']) await q(d, text);
    assert.equal(d.statementCacheStats().prepared - base, 4, 'SELECT 1 was evicted by the third and prepared again');
    assert.equal(d.statementCacheStats().size, 2);
  } finally {
    await d.close();
  }
});

test('defaults fill id and timestamps; the trigger moves updated_at on UPDATE', async () => {
  const d = await openFixture();
  try {
    const [row] = await q<{ id: string; created_at: string; updated_at: string }>(d,
      `INSERT INTO app.users (first_name, last_name) VALUES ('A', 'B') RETURNING *`);
    assert.match(row.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(row.created_at, row.updated_at);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await q(d, `UPDATE app.users SET first_name = 'C' WHERE id = $1`, [row.id]);
    const [after] = await q<{ updated_at: string; created_at: string }>(d, 'SELECT * FROM app.users WHERE id = $1', [row.id]);
    assert.equal(after.created_at, row.created_at);
    assert.ok(after.updated_at > row.updated_at, `${after.updated_at} > ${row.updated_at}`);
  } finally {
    await d.close();
  }
});

test('LIKE is case-sensitive, as in PostgreSQL', async () => {
  const d = await openFixture();
  try {
    await insertUser(d, 'Ada');
    assert.equal((await q(d, `SELECT count(*) AS n FROM app.users WHERE first_name LIKE 'ada%'`))[0].n, 0);
    assert.equal((await q(d, `SELECT count(*) AS n FROM app.users WHERE first_name LIKE 'Ada%'`))[0].n, 1);
  } finally {
    await d.close();
  }
});

test('the portable named queries of sql/queries run; the PostgreSQL-only one fails naming the query', async () => {
  const d = await openFixture();
  try {
    const owner = await insertUser(d);
    const insert = 'INSERT INTO app.tasks (title, owner_id, status, due_at, labels) VALUES ($1, $2, $3, $4, $5)';
    const c = await d.acquire();
    for (const [title, status, due] of [['late', 'todo', null], ['soon', 'doing', new Date('2024-01-02T00:00:00Z')], ['finished', 'done', null]] as const) {
      await c.query(insert, [title, owner, status, sqliteCodec.encode(due, { kind: 'timestamp' }), sqliteCodec.encode(['x'], { kind: 'text', array: true })]);
    }
    const open = await c.query<{ title: string }>(
      `SELECT * FROM app.tasks WHERE owner_id = $1 AND status <> 'done' AND NOT archived ORDER BY due_at ASC NULLS LAST, id`, [owner], { name: 'ListOpenTasksOfOwner' });
    assert.deepEqual(open.rows.map((r) => r.title), ['soon', 'late']);
    const archived = await c.query<{ title: string; archived: number }>(
      `UPDATE app.tasks SET archived = true WHERE owner_id = $1 AND status = 'done' AND NOT archived RETURNING *`, [owner], { name: 'ArchiveDoneTasksOfOwner' });
    assert.equal(archived.rowCount, 1);
    assert.equal(sqliteCodec.decode(archived.rows[0].archived, { kind: 'bool' }), true);
    await assert.rejects(
      c.query(`SELECT * FROM app.users WHERE first_name ILIKE $1 OR last_name ILIKE $1 ORDER BY last_name, first_name, id LIMIT $2`, ['a%', 10], { name: 'SearchUsersByName' }),
      (e: unknown) => e instanceof DatabaseError && /SearchUsersByName/.test(e.message) && /ILIKE/.test(e.message),
    );
    c.release();
  } finally {
    await d.close();
  }
});

test('another process holding the write lock past busy_timeout is a SerializationError', async () => {
  const { dir, cleanup } = tempDir();
  const file = path.join(dir, 'busy.db');
  const d = createSqliteDialect({ filename: file, busyTimeoutMs: 0 });
  const other = new Database(file);
  try {
    await d.exec(fixtureSql);
    other.exec('BEGIN IMMEDIATE');
    await assert.rejects(inTransaction(d, (c) => insertUser(c)), SerializationError);
    other.exec('ROLLBACK');
    await inTransaction(d, (c) => insertUser(c));
  } finally {
    other.close();
    await d.close();
    cleanup();
  }
});

test('acquire times out with PoolTimeoutError carrying the status', async () => {
  const d = createSqliteDialect({ url: 'sqlite::memory:', acquireTimeoutMs: 20 });
  try {
    const held = await d.acquire();
    await assert.rejects(d.acquire(), (e: unknown) => e instanceof PoolTimeoutError && e.status.checkedOut === 1 && e.status.size === 1);
    assert.equal(d.status().waiting, 0);
    held.release();
    (await d.acquire()).release();
  } finally {
    await d.close();
  }
});

test('invalidate rolls back, drops the statement cache, counts as invalid and frees the connection', async () => {
  const d = await openFixture();
  try {
    const c = await d.acquire();
    await c.begin();
    await insertUser(c, 'Gone');
    c.invalidate('test');
    assert.equal(d.status().invalid, 1);
    assert.equal(d.statementCacheStats().size, 0);
    assert.equal((await q(d, 'SELECT count(*) AS n FROM app.users'))[0].n, 0);
  } finally {
    await d.close();
  }
});

test('close waits for the lent connection, rejects waiters, and refuses new acquires', async () => {
  const d = await openFixture();
  const held = await d.acquire();
  const waiter = d.acquire();
  const closing = d.close(1000);
  await assert.rejects(waiter, DatabaseUnavailableError);
  await assert.rejects(d.acquire(), DatabaseUnavailableError);
  assert.deepEqual((await held.query('SELECT 1 AS one')).rows, [{ one: 1 }], 'the holder finishes its work');
  held.release();
  await closing;
  assert.equal(d.status().total, 0);
  await d.close();
});
