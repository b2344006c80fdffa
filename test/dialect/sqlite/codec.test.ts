import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ColumnType } from '../../../src/executor.js';
import { CheckViolationError, DatabaseError } from '../../../src/errors.js';
import { createSqliteDialect, sqliteCodec } from '../../../src/dialect/sqlite/index.js';

interface Case { column: string; storage: string; type: ColumnType; value: unknown; expected?: unknown }

const when = new Date('2024-05-01T12:34:56.789Z');
const cases: Case[] = [
  { column: 'a_text', storage: 'TEXT', type: { kind: 'text' }, value: 'héllo $1 \'quoted\'' },
  { column: 'a_uuid', storage: 'TEXT', type: { kind: 'uuid' }, value: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', expected: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' },
  { column: 'an_int', storage: 'INTEGER', type: { kind: 'int' }, value: -42 },
  { column: 'a_bigint', storage: 'TEXT', type: { kind: 'bigint' }, value: '9007199254740993' },
  { column: 'a_bigint_num', storage: 'TEXT', type: { kind: 'bigint' }, value: 7, expected: '7' },
  { column: 'a_numeric', storage: 'TEXT', type: { kind: 'numeric' }, value: '12.30' },
  { column: 'a_numeric_num', storage: 'TEXT', type: { kind: 'numeric' }, value: 0.1, expected: '0.1' },
  { column: 'a_float', storage: 'REAL', type: { kind: 'float' }, value: 3.25 },
  { column: 'a_true', storage: 'INTEGER', type: { kind: 'bool' }, value: true },
  { column: 'a_false', storage: 'INTEGER', type: { kind: 'bool' }, value: false },
  { column: 'a_date', storage: 'TEXT', type: { kind: 'date' }, value: '2024-02-29' },
  { column: 'a_timestamp', storage: 'TEXT', type: { kind: 'timestamp' }, value: when },
  { column: 'a_json_object', storage: 'TEXT', type: { kind: 'json' }, value: { a: 1, nested: { b: [1, 'two', null] } } },
  { column: 'a_json_array', storage: 'TEXT', type: { kind: 'json' }, value: [1, { x: true }] },
  { column: 'a_json_string', storage: 'TEXT', type: { kind: 'json' }, value: 'just text' },
  { column: 'a_json_number', storage: 'TEXT', type: { kind: 'json' }, value: 12.5 },
  { column: 'a_json_bool', storage: 'TEXT', type: { kind: 'json' }, value: false },
  { column: 'a_bytea', storage: 'BLOB', type: { kind: 'bytea' }, value: Buffer.from([0, 1, 2, 255]) },
  { column: 'an_enum', storage: 'TEXT', type: { kind: 'enum' }, value: 'doing' },
  { column: 'texts', storage: 'TEXT', type: { kind: 'text', array: true }, value: ['a', 'b,c', '"q"', null] },
  { column: 'empty_texts', storage: 'TEXT', type: { kind: 'text', array: true }, value: [] },
  { column: 'ints', storage: 'TEXT', type: { kind: 'int', array: true }, value: [1, 2, 3] },
  { column: 'bools', storage: 'TEXT', type: { kind: 'bool', array: true }, value: [true, false] },
  { column: 'timestamps', storage: 'TEXT', type: { kind: 'timestamp', array: true }, value: [when, new Date(0)] },
  { column: 'numerics', storage: 'TEXT', type: { kind: 'numeric', array: true }, value: ['1.10', 2], expected: ['1.10', '2'] },
  { column: 'jsons', storage: 'TEXT', type: { kind: 'json', array: true }, value: [{ a: 1 }, [2], 'three'] },
  { column: 'byteas', storage: 'TEXT', type: { kind: 'bytea', array: true }, value: [Buffer.from('hi')] },
  { column: 'uuids', storage: 'TEXT', type: { kind: 'uuid', array: true }, value: ['A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'], expected: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'] },
  { column: 'a_null', storage: 'TEXT', type: { kind: 'timestamp' }, value: null },
  { column: 'an_undefined', storage: 'TEXT', type: { kind: 'json' }, value: undefined, expected: null },
];

test('every kind round-trips through a real STRICT table and reads back as on PostgreSQL', async () => {
  const dialect = createSqliteDialect({ url: 'sqlite::memory:' });
  try {
    await dialect.exec(`CREATE TABLE app.kinds (id INTEGER PRIMARY KEY, ${cases.map((c) => `${c.column} ${c.storage}`).join(', ')}) STRICT`);
    const c = await dialect.acquire();
    const params = cases.map((k) => sqliteCodec.encode(k.value, k.type));
    await c.query(`INSERT INTO app.kinds (id, ${cases.map((k) => k.column).join(', ')}) VALUES (1, ${cases.map((_, i) => `$${i + 1}`).join(', ')})`, params);
    const { rows } = await c.query('SELECT * FROM app.kinds WHERE id = 1');
    c.release();
    for (const k of cases) {
      const decoded = sqliteCodec.decode(rows[0][k.column], k.type);
      assert.deepEqual(decoded, k.expected !== undefined ? k.expected : k.value, k.column);
    }
    assert.ok(sqliteCodec.decode(rows[0].a_timestamp, { kind: 'timestamp' }) instanceof Date);
    assert.equal(rows[0].a_timestamp, '2024-05-01T12:34:56.789Z', 'timestamps are stored as ISO-8601 UTC with milliseconds');
    assert.equal(rows[0].a_true, 1, 'booleans are stored as 0/1');
    assert.ok(Buffer.isBuffer(sqliteCodec.decode(rows[0].a_bytea, { kind: 'bytea' })));
  } finally {
    await dialect.close();
  }
});

test('numbers SQLite computes for bigint/numeric columns (count, sum) decode to strings, as pg returns them', () => {
  assert.equal(sqliteCodec.decode(3, { kind: 'bigint' }), '3');
  assert.equal(sqliteCodec.decode(1.5, { kind: 'numeric' }), '1.5');
  assert.equal(sqliteCodec.decode(1, { kind: 'bool' }), true);
  assert.equal(sqliteCodec.decode(0, { kind: 'bool' }), false);
});

test("SQLite's own 'YYYY-MM-DD HH:MM:SS' timestamps are read as UTC", () => {
  assert.deepEqual(sqliteCodec.decode('2024-05-01 12:00:00', { kind: 'timestamp' }), new Date('2024-05-01T12:00:00.000Z'));
});

test('stored timestamps decode to the instant new Date reads, on the fast path and off it', () => {
  for (const text of ['2024-05-01T12:34:56.789Z', '1970-01-01T00:00:00.000Z', '0050-06-30T23:59:59.999Z', '9999-12-31T23:59:59.999Z', '2000-02-29T00:00:00.001Z', '1969-12-31T23:59:59.999Z', '2100-03-01T00:00:00.000Z', '2024-05-01T12:34:56Z', '2024-05-01T14:34:56.789+02:00']) {
    assert.equal((sqliteCodec.decode(text, { kind: 'timestamp' }) as Date).getTime(), new Date(text).getTime(), text);
  }
});

test('malformed input is refused as PostgreSQL refuses it', () => {
  assert.throws(() => sqliteCodec.encode('not-a-uuid', { kind: 'uuid' }), CheckViolationError);
  assert.throws(() => sqliteCodec.encode('12x', { kind: 'numeric' }), CheckViolationError);
  assert.throws(() => sqliteCodec.encode(1.5, { kind: 'bigint' }), CheckViolationError);
  assert.throws(() => sqliteCodec.encode('a', { kind: 'text', array: true }), CheckViolationError);
  assert.throws(() => sqliteCodec.encode('yesterday-ish', { kind: 'timestamp' }), (e: unknown) => e instanceof DatabaseError && e.sqlState === '22007');
  assert.throws(() => sqliteCodec.encode(new Date(NaN), { kind: 'timestamp' }), DatabaseError);
});

test('uuids are normalised like PostgreSQL (braces, no hyphens, upper case)', () => {
  assert.equal(sqliteCodec.encode('{A0EEBC999C0B4EF8BB6D6BB9BD380A11}', { kind: 'uuid' }), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
});

test('the hand-written timestamp reader agrees with new Date across centuries', () => {
  for (let ms = Date.UTC(1600, 0, 1); ms < Date.UTC(2400, 0, 1); ms += 86_400_000 * 13 + 3_723_456) {
    const text = new Date(ms).toISOString();
    assert.equal((sqliteCodec.decode(text, { kind: 'timestamp' }) as Date).getTime(), ms, text);
  }
});

test('int8 binds as an INTEGER, so it compares as a number; out of int8 range is refused as PostgreSQL refuses it (22003)', async () => {
  assert.equal(sqliteCodec.encode('007', { kind: 'bigint' }), 7n);
  for (const value of ['9223372036854775808', 2n ** 64n, '-9223372036854775809']) {
    assert.throws(() => sqliteCodec.encode(value, { kind: 'bigint' }), CheckViolationError);
    assert.throws(() => sqliteCodec.encode([value], { kind: 'bigint', array: true }), CheckViolationError);
  }
  const dialect = createSqliteDialect({ url: 'sqlite::memory:', schemas: ['app'] });
  try {
    const c = await dialect.acquire();
    try {
      const min = sqliteCodec.encode('2', { kind: 'bigint' });
      const rows = (await c.query('SELECT count(*) AS n FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) HAVING count(*) >= $1 LIMIT $2', [min, sqliteCodec.encode(10n, { kind: 'bigint' })])).rows;
      assert.deepEqual(rows, [{ n: 3 }], "a TEXT '2' would compare greater than any INTEGER");
    } finally {
      c.release();
    }
  } finally {
    await dialect.close();
  }
});

test('sortKey: bigint/numeric sort as numbers (exact at any size), enums in declaration order', async () => {
  const dialect = createSqliteDialect({ url: 'sqlite::memory:', schemas: ['app'] });
  try {
    const c = await dialect.acquire();
    try {
      await c.query('CREATE TABLE app.v (d TEXT, s TEXT) STRICT');
      const decimals = ['10', '9', '-0.5', '100', '-10.5', '-10', '0', '1e3', '9223372036854775807', '9223372036854775806', '-9223372036854775808', '0.05', '1.55', '1.5', 'NaN'];
      const labels = ['done', 'todo', 'doing'];
      for (const [i, d] of decimals.entries()) await c.query('INSERT INTO app.v VALUES ($1, $2)', [d, labels[i % 3]]);
      const byD = await c.query(`SELECT d FROM app.v ORDER BY ${sqliteCodec.sortKey!('d', { kind: 'numeric' })}`);
      assert.deepEqual(byD.rows.map((r) => r.d), ['-9223372036854775808', '-10.5', '-10', '-0.5', '0', '0.05', '1.5', '1.55', '9', '10', '100', '1e3', '9223372036854775806', '9223372036854775807', 'NaN']);
      const enumType: ColumnType = { kind: 'enum', values: ['todo', 'doing', "it's done"] };
      assert.equal(sqliteCodec.sortKey!('s', enumType), "CASE s WHEN 'todo' THEN 0 WHEN 'doing' THEN 1 WHEN 'it''s done' THEN 2 END");
      const byS = await c.query(`SELECT DISTINCT s FROM app.v ORDER BY ${sqliteCodec.sortKey!('s', { kind: 'enum', values: ['todo', 'doing', 'done'] })}`);
      assert.deepEqual(byS.rows.map((r) => r.s), ['todo', 'doing', 'done']);
      assert.equal(sqliteCodec.sortKey!('s', { kind: 'text' }), 's');
    } finally {
      c.release();
    }
  } finally {
    await dialect.close();
  }
});
