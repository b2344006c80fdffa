import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CheckViolationError, ConflictError, DatabaseError, ForeignKeyError, SerializationError, httpStatusOf,
} from '../../../src/errors.js';
import { translateSqliteError } from '../../../src/dialect/sqlite/errors.js';
import { insertUser, openFixture, q } from './helpers.js';

test('a unique violation is a ConflictError with the table and columns', async () => {
  const d = await openFixture();
  try {
    await insertUser(d, 'Ada', 'ada@example.com');
    const error = await insertUser(d, 'Other', 'ada@example.com').then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ConflictError, String(error));
    assert.deepEqual(error.columns, ['email']);
    assert.equal(error.table, 'users');
    assert.equal(error.code, 'conflict');
    assert.equal(httpStatusOf(error), 409);
    assert.equal((error.cause as { code?: string }).code, 'SQLITE_CONSTRAINT_UNIQUE', 'the driver error is kept as cause');
    assert.match(error.sql ?? '', /INSERT INTO app\.users/);
  } finally {
    await d.close();
  }
});

test('a composite unique key and a primary key both give ConflictError with all their columns', async () => {
  const d = await openFixture();
  try {
    const user = await insertUser(d);
    const identity = 'INSERT INTO app.user_identities (user_id, provider, subject) VALUES ($1, $2, $3)';
    await q(d, identity, [user, 'google', '1']);
    await assert.rejects(q(d, identity, [user, 'google', '1']), (e: unknown) =>
      e instanceof ConflictError && e.table === 'user_identities' && JSON.stringify(e.columns) === '["provider","subject"]');
    await assert.rejects(q(d, `INSERT INTO app.users (id, first_name, last_name) VALUES ($1, 'x', 'y')`, [user]), (e: unknown) =>
      e instanceof ConflictError && JSON.stringify(e.columns) === '["id"]');
  } finally {
    await d.close();
  }
});

test('a missing parent is a ForeignKeyError; deleting the parent cascades', async () => {
  const d = await openFixture();
  try {
    await assert.rejects(
      q(d, `INSERT INTO app.tasks (title, owner_id) VALUES ('t', $1)`, ['00000000-0000-4000-8000-000000000000']),
      ForeignKeyError,
    );
    const user = await insertUser(d);
    await q(d, `INSERT INTO app.tasks (title, owner_id) VALUES ('t', $1)`, [user]);
    await q(d, `INSERT INTO app.user_identities (user_id, provider, subject) VALUES ($1, 'google', '1')`, [user]);
    await q(d, 'DELETE FROM app.users WHERE id = $1', [user]);
    assert.equal((await q(d, 'SELECT count(*) AS n FROM app.tasks'))[0].n, 0);
    assert.equal((await q(d, 'SELECT count(*) AS n FROM app.user_identities'))[0].n, 0);
  } finally {
    await d.close();
  }
});

test('an unknown enum value, a bad boolean, invalid JSON and a range check are CheckViolationErrors naming the constraint', async () => {
  const d = await openFixture();
  try {
    const user = await insertUser(d);
    const cases: [string, string][] = [
      [`INSERT INTO app.tasks (title, owner_id, status) VALUES ('t', $1, 'blocked')`, 'tasks_status_check'],
      [`INSERT INTO app.tasks (title, owner_id, archived) VALUES ('t', $1, 2)`, 'tasks_archived_check'],
      [`INSERT INTO app.tasks (title, owner_id, metadata) VALUES ('t', $1, '{oops')`, 'tasks_metadata_check'],
      [`INSERT INTO app.tasks (title, owner_id, labels) VALUES ('t', $1, '{}')`, 'tasks_labels_check'],
      [`INSERT INTO app.tasks (title, owner_id, priority) VALUES ('t', $1, 9)`, 'tasks_priority_range'],
    ];
    for (const [sql, constraint] of cases) {
      await assert.rejects(q(d, sql, [user]), (e: unknown) => e instanceof CheckViolationError && e.constraint === constraint, constraint);
    }
  } finally {
    await d.close();
  }
});

test('NOT NULL and a wrongly typed value in a STRICT table are CheckViolationErrors with the table', async () => {
  const d = await openFixture();
  try {
    await assert.rejects(q(d, `INSERT INTO app.users (first_name, last_name) VALUES ($1, 'x')`, [null]), (e: unknown) =>
      e instanceof CheckViolationError && e.table === 'users' && httpStatusOf(e) === 400);
    const user = await insertUser(d);
    await assert.rejects(q(d, `INSERT INTO app.tasks (title, owner_id, priority) VALUES ('t', $1, 'high')`, [user]), (e: unknown) =>
      e instanceof CheckViolationError && e.table === 'tasks');
  } finally {
    await d.close();
  }
});

test('busy and locked map to SerializationError; unknown codes keep the code; typed errors pass through', () => {
  const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  assert.ok(translateSqliteError(busy) instanceof SerializationError);
  assert.ok(translateSqliteError(Object.assign(new Error('x'), { code: 'SQLITE_LOCKED_SHAREDCACHE' })) instanceof SerializationError);
  const other = translateSqliteError(Object.assign(new Error('disk image is malformed'), { code: 'SQLITE_CORRUPT' }), 'SELECT 1');
  assert.ok(other instanceof DatabaseError);
  assert.equal(other.sqlState, 'SQLITE_CORRUPT');
  assert.equal(other.sql, 'SELECT 1');
  const typed = new ConflictError('x', { columns: [] });
  assert.equal(translateSqliteError(typed), typed);
});

test('an unparseable unique message still gives ConflictError, with no columns rather than wrong ones', () => {
  const e = translateSqliteError(Object.assign(new Error('UNIQUE constraint failed: index \'users_lower_email\''), { code: 'SQLITE_CONSTRAINT_UNIQUE' }));
  assert.ok(e instanceof ConflictError);
  assert.deepEqual(e.columns, []);
  assert.equal(e.constraint, 'users_lower_email');
});
