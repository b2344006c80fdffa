import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../../src/database.js';
import { QueryTimeoutError } from '../../../src/errors.js';
import { adminQuery, createMigratedDatabase, testServer, type TestDatabase } from '../../support/database.js';
import { captureLogger, testDatabaseConfig } from '../../support/runtime.js';

// `pgbouncer: true` against the server directly: each statement outside a transaction is wrapped in its own
// BEGIN ... COMMIT (for its SET LOCAL timeout). A caller's own transaction control must not be swallowed by that.
describe('PostgreSQL per-transaction settings (pgbouncer mode) and the caller\'s own BEGIN', () => {
  let tdb: TestDatabase;
  let db: Database;
  const role = `t${process.pid}_${randomBytes(3).toString('hex')}_owner`;

  before(async () => {
    tdb = await createMigratedDatabase();
    await adminQuery(tdb.url, `CREATE ROLE ${role}`);
    db = openDatabase(testDatabaseConfig(tdb.url, { pgbouncer: true, statement_timeout: 7 }), { logger: captureLogger() });
  });
  after(async () => {
    await db.close();
    await tdb.drop();
    await adminQuery((await testServer()).adminUrl, `DROP ROLE IF EXISTS ${role}`);
  });

  const count = async () => (await db.executor.query<{ n: number }>(`SELECT count(*)::int AS n FROM app.users WHERE last_name = 'own-tx'`)).rows[0].n;

  it('BEGIN / INSERT / ROLLBACK in a session leaves nothing', async () => {
    await db.session(async (_r, s) => {
      await s.query('BEGIN');
      await s.query(`INSERT INTO app.users (first_name, last_name) VALUES ('a', 'own-tx')`);
      await s.query('ROLLBACK');
    });
    assert.equal(await count(), 0);
  });

  it('SET LOCAL ROLE after the caller\'s BEGIN holds for the rest of that transaction, which keeps the statement timeout', async () => {
    const seen = await db.session(async (_r, s) => {
      const outside = (await s.query<{ t: string }>(`SELECT current_setting('statement_timeout') AS t`)).rows[0].t;
      await s.query('/* migration */ begin');
      await s.query(`SET LOCAL ROLE ${role}`);
      const inside = (await s.query<{ who: string; t: string }>(`SELECT current_user AS who, current_setting('statement_timeout') AS t`)).rows[0];
      await s.query('END');
      const after = (await s.query<{ who: string }>('SELECT current_user AS who')).rows[0].who;
      return { outside, inside, after };
    });
    assert.deepEqual(seen, { outside: '7s', inside: { who: role, t: '7s' }, after: 'postgres' });
  });

  it('a whole BEGIN; ...; COMMIT string leaves no transaction open: the next statement still gets its timeout', async () => {
    const short = openDatabase(testDatabaseConfig(tdb.url, { pgbouncer: true, statement_timeout: 0.3 }), { logger: captureLogger() });
    try {
      await short.session(async (_r, s) => {
        await s.query(`BEGIN; INSERT INTO app.users (first_name, last_name) VALUES ('m', 'own-tx'); COMMIT`);
        await assert.rejects(() => s.query('SELECT pg_sleep(2)'), (e: unknown) => e instanceof QueryTimeoutError);
      });
      assert.equal(await count(), 1);
    } finally {
      await adminQuery(tdb.url, `DELETE FROM app.users WHERE last_name = 'own-tx'`);
      await short.close();
    }
  });

  it('COMMIT AND CHAIN keeps the caller in a transaction: later statements are not committed on their own', async () => {
    await db.session(async (_r, s) => {
      await s.query('BEGIN');
      await s.query(`INSERT INTO app.users (first_name, last_name) VALUES ('d', 'chain')`);
      await s.query('COMMIT AND CHAIN');
      await s.query(`INSERT INTO app.users (first_name, last_name) VALUES ('e', 'chain')`);
      await s.query('ROLLBACK');
    });
    const rows = await db.executor.query<{ first_name: string }>(`SELECT first_name FROM app.users WHERE last_name = 'chain'`);
    assert.deepEqual(rows.rows.map((r) => r.first_name), ['d']);
  });

  it('ROLLBACK TO SAVEPOINT does not end the caller\'s transaction', async () => {
    await db.session(async (_r, s) => {
      await s.query('BEGIN');
      await s.query('SAVEPOINT a');
      await s.query(`INSERT INTO app.users (first_name, last_name) VALUES ('b', 'own-tx')`);
      await s.query('ROLLBACK TO SAVEPOINT a');
      await s.query(`INSERT INTO app.users (first_name, last_name) VALUES ('c', 'own-tx')`);
      await s.query('ROLLBACK');
    });
    assert.equal(await count(), 0);
  });
});
