import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { introspect } from '../../codegen/catalog/introspect.js';
import { emitSqliteSchema } from '../../codegen/emit/sqlite-schema.js';
import { createSqliteDialect, type SqliteDialect } from '../../src/dialect/sqlite/index.js';
import { CheckViolationError } from '../../src/errors.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * The numeric(p,s) precision CHECK of the SQLite schema against PostgreSQL itself: a table introspected from the real
 * server (negative scales and scale > precision included, as PostgreSQL 15 allows), emitted, loaded into SQLite;
 * then every boundary value is accepted by SQLite exactly when PostgreSQL's `$1::numeric(p,s)` accepts it.
 */
const TYPES: [number, number][] = [[5, 2], [3, 0], [1, 0], [2, 2], [10, 2], [18, 2], [2, 4], [3, -2]];
const columnName = ([p, s]: [number, number]) => `n_${p}_${s < 0 ? `m${-s}` : s}`;

/** Around every digit count that matters for numeric(p,s): one short of p - s, exactly p - s (with and without carry), one more. */
function boundaryValues(p: number, s: number): string[] {
  const w = p - s;
  const nines = (n: number) => '9'.repeat(Math.max(n, 0));
  const point = (int: string, fraction: string) => (fraction ? `${int || '0'}.${fraction}` : int || '0');
  const scaled = (digits: string) => (s > 0 ? point('', digits.padStart(s, '0')) : digits + '0'.repeat(-s));
  const values =
    w > 0
      ? [
          point(nines(w - 1), nines(s + 1)), // w - 1 digits, rounding carries to w: fits
          point('1' + '0'.repeat(w - 1), ''),
          point('1' + '2'.repeat(w - 1), '5'.repeat(Math.max(s, 0))),
          point(nines(w - 1) + '8', nines(s + 1)), // w digits, carry stays within them
          point(nines(w), nines(s)), // the largest value
          point(nines(w), nines(s) + '4'), // below the rounding edge
          point(nines(w), nines(s) + '49'),
          point(nines(w), nines(s) + '5'), // at the edge: rounds up to w + 1 digits
          '1' + '0'.repeat(w), // w + 1 digits
          '00' + point(nines(w), nines(s)),
          ...(s < 0 ? [nines(p) + '4' + nines(-s - 1), nines(p) + '5' + '0'.repeat(-s - 1), '1' + '0'.repeat(w - 1)] : []),
        ]
      : [scaled(nines(p)), point('', '0'.repeat(-w) + nines(p) + '4'), point('', '0'.repeat(-w) + nines(p) + '5'), point('', '0'.repeat(Math.max(-w - 1, 0)) + '1'), '1', '0'];
  return values.flatMap((v) => [v, `-${v}`]);
}

describe('the SQLite numeric(p,s) precision CHECK accepts exactly what PostgreSQL accepts', () => {
  let database: TestDatabase;
  let client: pg.Client;
  let sqlite: SqliteDialect;

  before(async () => {
    database = await createTestDatabase('sqlwright_precision');
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const columns = TYPES.map((t) => `${columnName(t)} numeric(${t[0]},${t[1]})`).join(', ');
    await client.query(`CREATE SCHEMA np; CREATE TABLE np.p (id int PRIMARY KEY, ${columns})`);
    const catalog = await introspect(client, ['np']);
    assert.deepEqual(catalog.tables[0].columns.slice(1).map((c) => c.numeric), TYPES.map(([precision, scale]) => ({ precision, scale })), 'typmod decoded, negative scale included');
    sqlite = createSqliteDialect({ url: 'sqlite::memory:', schemas: ['np'] });
    await sqlite.exec(emitSqliteSchema(catalog, ['np.sql']));
  });
  after(async () => {
    await sqlite?.close();
    await client?.end();
    await database?.drop();
  });

  for (const type of TYPES) {
    it(`numeric(${type[0]},${type[1]})`, async () => {
      const column = columnName(type);
      const connection = await sqlite.acquire();
      try {
        const pgAccepts: Record<string, boolean> = {};
        const sqliteAccepts: Record<string, boolean> = {};
        for (const value of boundaryValues(...type)) {
          pgAccepts[value] = await client.query(`SELECT $1::numeric(${type[0]},${type[1]})`, [value]).then(() => true, (e) => (assert.equal(e.code, '22003', value), false));
          sqliteAccepts[value] = await connection.query(`INSERT INTO np.p (${column}) VALUES ($1)`, [value]).then(
            () => true,
            (e) => (assert.ok(e instanceof CheckViolationError && e.constraint === `p_${column}_precision`, `${value}: ${e}`), false),
          );
        }
        assert.deepEqual(sqliteAccepts, pgAccepts);
        assert.ok(Object.values(pgAccepts).includes(false) && Object.values(pgAccepts).includes(true), 'the values straddle the bound');
      } finally {
        connection.release();
      }
    });
  }
});
