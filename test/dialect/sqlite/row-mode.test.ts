import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SqliteConnection } from '../../../src/dialect/sqlite/index.js';
import { isCanonicalUuid } from '../../../src/uuid-text.js';
import { inTransaction, insertUser, openFixture, q } from './helpers.js';

const GET = 'SELECT first_name, email, id FROM app.users WHERE first_name = $1 ORDER BY email';

test("rowMode 'array' returns each row's values in select-list order; the same text still returns objects without it", async () => {
  const d = await openFixture();
  try {
    const id = await insertUser(d, 'Ada', 'ada@example.com');
    const asArrays = d.queryNow(GET, ['Ada'], { rowMode: 'array' });
    assert.deepEqual(asArrays, { rows: [['Ada', 'ada@example.com', id]], rowCount: 1 });
    assert.deepEqual(await q(d, GET, ['Ada']), [{ first_name: 'Ada', email: 'ada@example.com', id }]);
    assert.deepEqual(d.queryNow(GET, ['Ada'], { rowMode: 'array' })?.rows, [['Ada', 'ada@example.com', id]], 'after the object form ran again');
  } finally {
    await d.close();
  }
});

test('singleRow stops a read after its first row, and inside a transaction as well', async () => {
  const d = await openFixture();
  try {
    await insertUser(d, 'Ada', 'a1@example.com');
    await insertUser(d, 'Ada', 'a2@example.com');
    assert.deepEqual(d.queryNow(GET, ['Ada'], { singleRow: true, rowMode: 'array' })?.rows.map((r) => (r as unknown[])[1]), ['a1@example.com']);
    assert.deepEqual(d.queryNow(GET, ['Nobody'], { singleRow: true }), { rows: [], rowCount: 0 });
    const inTx = await inTransaction(d, async (c) => (c as SqliteConnection).queryNow(GET, ['Ada'], { singleRow: true }));
    assert.equal(inTx.rowCount, 1);
  } finally {
    await d.close();
  }
});

test('singleRow on a statement that writes still runs it to completion', async () => {
  const d = await openFixture();
  try {
    await insertUser(d, 'Ada', 'a1@example.com');
    await insertUser(d, 'Ada', 'a2@example.com');
    const text = "UPDATE app.users SET last_name = 'Byron' WHERE first_name = $1 RETURNING email";
    const result = d.queryNow(text, ['Ada'], { singleRow: true, rowMode: 'array' });
    assert.equal(result?.rowCount, 2, 'every row RETURNING produced');
    assert.deepEqual(await q(d, "SELECT count(*) AS n FROM app.users WHERE last_name = 'Byron'"), [{ n: 2 }]);
  } finally {
    await d.close();
  }
});

test('isCanonicalUuid accepts exactly 8-4-4-4-12 lowercase hex', () => {
  assert.equal(isCanonicalUuid('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), true);
  assert.equal(isCanonicalUuid('00000000-0000-0000-0000-000000000000'), true);
  for (const bad of [
    'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', // upper case: normalised by the codec, not accepted as is
    'a0eebc999c0b4ef8bb6d6bb9bd380a11',
    '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}',
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1',
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111',
    'a0eebc999-c0b-4ef8-bb6d-6bb9bd380a11', // a dash out of place
    'g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1\uff11', // a full-width digit
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a-1',
    42,
    null,
  ]) {
    assert.equal(isCanonicalUuid(bad), false, String(bad));
  }
});
