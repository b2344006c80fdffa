import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type Database } from '../../../src/database.js';
import type { Executor } from '../../../src/executor.js';
import { createJsonLogger } from '../../../src/log.js';
import { Table, type ColumnDescriptor } from '../../../src/repository-runtime.js';
import { testDatabaseConfig } from '../../support/runtime.js';

/**
 * list() on a bigint identity key, which the SQLite schema stores as the INTEGER rowid (descriptor `rowid: true`):
 * it orders and pages by the bare column, so SQLite walks the rowid b-tree instead of sorting every row by
 * sqlwright_decimal_key; and the decimal sort key itself is exact for INTEGER arguments past 2^53.
 */
describe('SQLite keyset paging on a rowid bigint key', () => {
  let db: Database;
  const statements: string[] = [];
  let recording: Executor;
  const columns: ColumnDescriptor[] = [
    { column: 'id', sql: 'id', field: 'id', type: { kind: 'bigint', rowid: true } },
    { column: 'tag', sql: 'tag', field: 'tag', type: { kind: 'int' } },
  ];
  const table = new Table<{ id: string; tag: number }>({ entity: 'Num', sqlName: 'app.nums', statement: 'test_nums', columns, key: 'id', uniqueKeys: { id: ['id'] } });
  // Up to 2^53 - 1, the largest id better-sqlite3 reads back exactly as a number.
  const ids = Array.from({ length: 25 }, (_, i) => (2n ** 53n - 25n + BigInt(i)).toString());

  before(async () => {
    db = openDatabase(testDatabaseConfig('sqlite::memory:'), { logger: createJsonLogger({ level: 'error' }) });
    await db.executor.query('CREATE TABLE app.nums (id INTEGER PRIMARY KEY, tag INTEGER NOT NULL) STRICT');
    await table.insertMany(db.executor, [...ids].reverse().map((id, tag) => ({ id, tag })));
    const inner = db.executor;
    recording = { dialect: inner.dialect, codec: inner.codec, query: (text, params, options) => (statements.push(text), inner.query(text, params, options)) };
  });
  after(() => db.close());

  for (const direction of ['asc', 'desc'] as const) {
    it(`${direction}: every row once, in order, each page a rowid b-tree search`, async () => {
      const seen: string[] = [];
      let after: string | null = null;
      do {
        statements.length = 0;
        const page = await table.list(recording, { orderBy: { field: 'id', direction }, limit: 4, after });
        seen.push(...page.rows.map((r) => r.id));
        after = page.next;
      } while (after);
      assert.deepEqual(seen, direction === 'asc' ? ids : [...ids].reverse());
      const [listSql] = statements;
      assert.doesNotMatch(listSql, /sqlwright_decimal_key/);
      const plan = await db.executor.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${listSql}`, ['1', '5']);
      const details = plan.rows.map((r) => r.detail).join('; ');
      assert.match(details, /USING INTEGER PRIMARY KEY/, details);
      assert.doesNotMatch(details, /TEMP B-TREE/, details);
    });
  }

  it('sqlwright_decimal_key sees an INTEGER past 2^53 exactly', async () => {
    const { rows } = await db.executor.query<{ same: number; next: number }>(
      `SELECT sqlwright_decimal_key(9007199254740993) = sqlwright_decimal_key('9007199254740993') AS same,
              sqlwright_decimal_key(9007199254740993) > sqlwright_decimal_key(9007199254740992) AS next`,
    );
    assert.deepEqual(rows, [{ same: 1, next: 1 }]);
  });
});
