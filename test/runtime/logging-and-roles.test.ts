import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeDefaultDatabase, getDefaultDatabase, openDatabase } from '../../src/database.js';
import { ReadOnlyError } from '../../src/errors.js';
import { createJsonLogger } from '../../src/log.js';
import { createMigratedDatabase, adminQuery, testServer, type TestDatabase } from '../support/database.js';
import { captureLogger, testDatabaseConfig } from '../support/runtime.js';

describe('logs, the default database, and a read-only role', () => {
  let tdb: TestDatabase;
  const reader = `t${process.pid}_${randomBytes(3).toString('hex')}_reader`;

  before(async () => {
    tdb = await createMigratedDatabase();
    await adminQuery(tdb.url, `CREATE ROLE ${reader} LOGIN`);
    await adminQuery(tdb.url, `GRANT USAGE ON SCHEMA app TO ${reader}; GRANT SELECT ON ALL TABLES IN SCHEMA app TO ${reader}`);
  });
  after(async () => {
    await tdb.drop();
    await adminQuery((await testServer()).adminUrl, `DROP ROLE IF EXISTS ${reader}`);
  });

  it('logs the engine settings at start and statements slower than slow_query_ms, with their SQL but no parameters', async () => {
    const logger = captureLogger();
    const db = openDatabase(testDatabaseConfig(tdb.url, { slow_query_ms: 50, pool_size: 3 }), { logger });
    try {
      const init = logger.lines.find((l) => l.msg === 'Database engine initialized');
      assert.ok(init);
      assert.deepEqual(
        { pool_size: init.obj.pool_size, max_overflow: init.obj.max_overflow, pool_timeout: init.obj.pool_timeout, pool_recycle: init.obj.pool_recycle },
        { pool_size: 3, max_overflow: 10, pool_timeout: 30, pool_recycle: 1800 },
      );
      await db.executor.query('SELECT 1');
      assert.equal(logger.lines.filter((l) => l.msg === 'slow query').length, 0);
      await db.executor.query('SELECT pg_sleep(0.1), $1::text AS secret', ['do-not-log-me']);
      const slow = logger.lines.filter((l) => l.msg === 'slow query');
      assert.equal(slow.length, 1);
      assert.match(String(slow[0].obj.sql), /pg_sleep/);
      assert.ok(Number(slow[0].obj.durationMs) >= 50);
      assert.doesNotMatch(logger.text(), /do-not-log-me/);
    } finally {
      await db.close();
    }
  });

  it('echo writes every statement at debug, and is skipped when the logger is above debug', async () => {
    for (const level of ['debug', 'warn'] as const) {
      const lines: string[] = [];
      const db = openDatabase(testDatabaseConfig(tdb.url, { echo: true }), { logger: createJsonLogger({ level, write: (l) => lines.push(l) }) });
      try {
        await db.executor.query('SELECT $1::text AS x', ['not logged']);
      } finally {
        await db.close();
      }
      const echoed = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'query');
      assert.equal(echoed.length, level === 'debug' ? 1 : 0, level);
      if (level === 'debug') assert.deepEqual([echoed[0].sql, echoed[0].params, echoed[0].level], ['SELECT $1::text AS x', 1, 'debug']);
      assert.doesNotMatch(lines.join('\n'), /not logged/);
    }
  });

  it('the default JSON logger masks a value PostgreSQL quotes at the end of a message, in every field', async () => {
    const lines: string[] = [];
    const db = openDatabase(testDatabaseConfig(tdb.url, { echo: true }), { logger: createJsonLogger({ level: 'debug', write: (l) => lines.push(l) }) });
    try {
      await assert.rejects(db.transaction((ex) => ex.query(`SELECT $1::app.task_status`, ['tok-7f3a-secret'])));
      await db.executor.query('SELECT 1 AS "note: ", 2 AS "c"');
    } finally {
      await db.close();
    }
    const sql = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'query').map((l) => l.sql);
    assert.ok(sql.includes('SELECT 1 AS "note: ", 2 AS "c"'), 'statement text is the caller\'s SQL: never masked');
    const failed = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'Database transaction failed');
    assert.match(failed.error_message, /^invalid input value for enum app\.task_status: "\*\*\*"$/);
    assert.doesNotMatch(lines.join('\n'), /tok-7f3a/);
  });

  it('getDefaultDatabase opens one database per process from the environment, lazily', async () => {
    const saved = { url: process.env.DATABASE_URL, env: process.env.APP_ENV };
    process.env.DATABASE_URL = tdb.url;
    process.env.APP_ENV = 'test';
    try {
      const a = getDefaultDatabase({ logger: captureLogger() });
      const b = getDefaultDatabase();
      assert.equal(a, b);
      const { rows } = await a.executor.query<{ db: string }>('SELECT current_database() AS db');
      assert.equal(rows[0].db, tdb.name);
      await closeDefaultDatabase();
      assert.notEqual(getDefaultDatabase({ logger: captureLogger() }), a);
      await closeDefaultDatabase();
    } finally {
      process.env.DATABASE_URL = saved.url;
      process.env.APP_ENV = saved.env;
      if (saved.url === undefined) delete process.env.DATABASE_URL;
      if (saved.env === undefined) delete process.env.APP_ENV;
    }
  });

  it('db.readOnly runs as the read-only role when read_only_url is set; writes fail', async () => {
    const readOnlyUrl = new URL(tdb.url);
    readOnlyUrl.username = reader;
    const db = openDatabase(testDatabaseConfig(tdb.url, { read_only_url: readOnlyUrl.toString() }), { logger: captureLogger() });
    try {
      const who = await db.readOnly(async (_r, tx) => (await tx.query<{ who: string }>('SELECT current_user AS who')).rows[0].who);
      assert.equal(who, reader);
      const write = await db.readOnly((_r, tx) => tx.query(`INSERT INTO app.users (first_name, last_name) VALUES ('a', 'b')`)).catch((e) => e);
      assert.ok(write instanceof ReadOnlyError, String(write));
      assert.deepEqual(db.pools().map((p) => [p.name, p.role]), [['app', 'primary'], ['app-read-only', 'read-only']]);
    } finally {
      await db.close();
    }
  });
});
