import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSqliteUrl, parseSqliteUrl } from '../../../src/dialect/sqlite/url.js';
import { DatabaseError } from '../../../src/errors.js';

test('a relative file: three slashes, then the path as written', () => {
  assert.deepEqual(parseSqliteUrl('sqlite:///./database.db'), { kind: 'file', filename: './database.db' });
  assert.deepEqual(parseSqliteUrl('sqlite:///data/app.db'), { kind: 'file', filename: 'data/app.db' });
});

test('an absolute file: four slashes', () => {
  assert.deepEqual(parseSqliteUrl('sqlite:////var/lib/app/app.db'), { kind: 'file', filename: '/var/lib/app/app.db' });
});

test('memory', () => {
  assert.deepEqual(parseSqliteUrl('sqlite::memory:'), { kind: 'memory' });
});

test('percent-escapes in the path are decoded', () => {
  assert.deepEqual(parseSqliteUrl('sqlite:////tmp/my%20db.db'), { kind: 'file', filename: '/tmp/my db.db' });
});

test('anything else is rejected with an error that shows the expected forms', () => {
  for (const url of [
    'postgresql://localhost/app', 'sqlite:', 'sqlite://', 'sqlite:///', 'sqlite://host/db.db', 'sqlite:db.db',
    'sqlite:///db.db?mode=ro', 'sqlite:///:memory:', 'sqlite:///dir/', 'sqlite:///%zz', 'sqlite:memory',
  ]) {
    assert.throws(() => parseSqliteUrl(url), (e: unknown) => {
      assert.ok(e instanceof DatabaseError, url);
      assert.match(e.message, /invalid SQLite URL/);
      assert.match(e.message, /sqlite::memory:/);
      return true;
    }, url);
  }
});

test('isSqliteUrl tells SQLite URLs from PostgreSQL ones', () => {
  assert.equal(isSqliteUrl('sqlite::memory:'), true);
  assert.equal(isSqliteUrl('postgres://x/y'), false);
});
