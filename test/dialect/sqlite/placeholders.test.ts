import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translatePlaceholders } from '../../../src/dialect/sqlite/placeholders.js';
import { DatabaseError } from '../../../src/errors.js';
import { createSqliteDialect } from '../../../src/dialect/sqlite/index.js';

test('$n become ? in order; an in-order statement binds the array as it is', () => {
  assert.deepEqual(translatePlaceholders('SELECT * FROM app.users WHERE id = $1 AND email = $2'), {
    sql: 'SELECT * FROM app.users WHERE id = ? AND email = ?', order: null, paramCount: 2,
  });
});

test('$10 is one placeholder, not $1 followed by 0', () => {
  const values = Array.from({ length: 10 }, (_, i) => `$${i + 1}`).join(', ');
  const t = translatePlaceholders(`VALUES (${values})`);
  assert.equal(t.sql, `VALUES (${Array(10).fill('?').join(', ')})`);
  assert.equal(t.paramCount, 10);
  assert.deepEqual(translatePlaceholders(`SELECT $10, ${values.split(', ').slice(0, 9).join(', ')}`).order, [9, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
});

test('repeated and out-of-order placeholders record which parameter each ? binds', () => {
  const t = translatePlaceholders('SELECT $2 AS b, $1 AS a, $2 AS again');
  assert.equal(t.sql, 'SELECT ? AS b, ? AS a, ? AS again');
  assert.deepEqual(t.order, [1, 0, 1]);
  assert.equal(t.paramCount, 2);
});

test('strings, quoted identifiers, comments and dollar quotes are left alone', () => {
  const text = `SELECT '$1', 'it''s $2', E'\\' $3', "col$4", $$ $5 $$, $tag$ $6 $tag$ -- $7\n /* $8 /* $9 */ $10 */ FROM t WHERE a = $1`;
  const t = translatePlaceholders(text);
  assert.equal(t.sql, text.slice(0, -2) + '?');
  assert.equal(t.paramCount, 1);
});

test('$ inside an identifier is not a placeholder', () => {
  assert.equal(translatePlaceholders('SELECT a$1 FROM t').sql, 'SELECT a$1 FROM t');
});

test('CURRENT_TIMESTAMP becomes now(), but not inside strings or longer names', () => {
  assert.equal(
    translatePlaceholders(`UPDATE t SET at = current_timestamp, note = 'CURRENT_TIMESTAMP', x = current_timestamp_x`).sql,
    `UPDATE t SET at = now(), note = 'CURRENT_TIMESTAMP', x = current_timestamp_x`,
  );
});

test('$0 and a gap in the numbering are errors, as in PostgreSQL', () => {
  assert.throws(() => translatePlaceholders('SELECT $0'), DatabaseError);
  assert.throws(() => translatePlaceholders('SELECT $1, $3'), /parameter \$2/);
});

test('through a real statement: a literal $1 stays text, repeated parameters bind', async () => {
  const dialect = createSqliteDialect({ url: 'sqlite::memory:' });
  try {
    const c = await dialect.acquire();
    const { rows } = await c.query(`SELECT '$1' AS literal, $2 AS two, $1 AS one, $2 || '!' AS again`, ['a', 'b']);
    assert.deepEqual(rows, [{ literal: '$1', two: 'b', one: 'a', again: 'b!' }]);
    await assert.rejects(c.query('SELECT $1, $2', ['only one']), (e: unknown) => e instanceof DatabaseError && e.sqlState === '08P01');
    c.release();
  } finally {
    await dialect.close();
  }
});
