import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/database.js';
import { DatabaseUnavailableError, QueryTimeoutError } from '../../src/errors.js';
import { createPool } from '../../src/pool/index.js';
import { adminQuery, createMigratedDatabase, testServer, type TestDatabase } from '../support/database.js';
import { TestPgBouncer } from '../support/pgbouncer.js';
import { captureLogger, testDatabaseConfig } from '../support/runtime.js';
import { eventually } from '../pool/helpers.js';

async function rawClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('behind PgBouncer (transaction mode, one server connection)', () => {
  let tdb: TestDatabase;
  let bouncer: TestPgBouncer;
  const opened: Database[] = [];
  const open = (config: Parameters<typeof testDatabaseConfig>[1]) => {
    const db = openDatabase(testDatabaseConfig(bouncer.url(tdb.name), { pool_size: 4, ...config }), { logger: captureLogger() });
    opened.push(db);
    return db;
  };

  before(async () => {
    tdb = await createMigratedDatabase();
    // one server connection for every client: whatever one client leaves on it, the next one sees
    // A connect attempt cut short by KILL's pause delays the next server login by server_login_retry (15 s by default).
    bouncer = await TestPgBouncer.start({ serverUrl: (await testServer()).adminUrl, poolSize: 1, serverLoginRetrySeconds: 1 });
  });
  after(async () => {
    await Promise.all(opened.map((db) => db.close(1000)));
    await bouncer.stop();
    await tdb.drop();
  });

  it('named prepared statements break across clients (the failure the setting avoids)', async () => {
    const [a, b] = await Promise.all([rawClient(bouncer.url(tdb.name)), rawClient(bouncer.url(tdb.name))]);
    try {
      await a.query({ name: 'sqlwright_probe', text: 'SELECT 1' });
      const error = await b.query({ name: 'sqlwright_probe', text: 'SELECT 1' }).catch((e) => e);
      assert.equal(error.code, '42P05');
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('with pgbouncer: true, concurrent clients running the same named statements never see 42P05/26000', async () => {
    const clients = [open({ pgbouncer: true }), open({ pgbouncer: true }), open({ pgbouncer: true })];
    const errors: unknown[] = [];
    await Promise.all(
      clients.flatMap((db, i) =>
        Array.from({ length: 40 }, (_, j) =>
          db.executor
            .query('SELECT $1::int + $2::int AS n', [i, j], { name: 'sqlwright_sum' })
            .then((r) => assert.equal(r.rows[0].n, i + j))
            .catch((e) => errors.push(e)),
        ),
      ),
    );
    assert.deepEqual(errors, []);
  });

  it('a statement timeout set by one client is never seen by another', async () => {
    // the leak PgBouncer users meet: a session-level SET stays on the shared server connection
    const leaky = await rawClient(bouncer.url(tdb.name));
    const other = await rawClient(bouncer.url(tdb.name));
    try {
      await leaky.query(`SET statement_timeout = '1234ms'`);
      assert.equal((await other.query('SHOW statement_timeout')).rows[0].statement_timeout, '1234ms');
      await other.query('RESET ALL');
    } finally {
      await Promise.all([leaky.end(), other.end()]);
    }

    const db = open({ pgbouncer: true, statement_timeout: 7 });
    const observer = await rawClient(bouncer.url(tdb.name));
    try {
      const inside = await db.transaction((_r, tx) => tx.query<{ statement_timeout: string }>('SHOW statement_timeout'));
      assert.equal(inside.rows[0].statement_timeout, '7s');
      const single = await db.executor.query<{ statement_timeout: string }>('SHOW statement_timeout');
      assert.equal(single.rows[0].statement_timeout, '7s', 'a single statement outside a transaction still gets its timeout');
      assert.equal((await observer.query('SHOW statement_timeout')).rows[0].statement_timeout, '0');
    } finally {
      await observer.end();
    }
  });

  it('the timeout is enforced per statement and per transaction', async () => {
    const db = open({ pgbouncer: true, statement_timeout: 0.2 });
    assert.ok((await db.executor.query('SELECT pg_sleep(2)').catch((e) => e)) instanceof QueryTimeoutError);
    const inTx = await db.transaction((_r, tx) => tx.query('SELECT pg_sleep(2)')).catch((e) => e);
    assert.ok(inTx instanceof QueryTimeoutError, String(inTx));
    assert.equal((await db.executor.query<{ one: number }>('SELECT 1 AS one')).rows[0].one, 1);
  });

  it('PAUSE makes checkouts wait and RESUME serves them', async () => {
    const db = open({ pgbouncer: true });
    await db.executor.query('SELECT 1');
    await bouncer.admin(`PAUSE ${tdb.name}`);
    let settled = false;
    const pending = db.executor.query<{ one: number }>('SELECT 1 AS one').finally(() => (settled = true));
    await sleep(300);
    assert.equal(settled, false, 'the query waits while the database is paused');
    await bouncer.admin(`RESUME ${tdb.name}`);
    assert.equal((await pending).rows[0].one, 1);
  });

  it('KILL fails the statement in flight with DatabaseUnavailableError, the pool drops the killed connections, new ones wait until RESUME', async () => {
    const db = open({ pgbouncer: true, pool_timeout: 5 });
    await Promise.all([db.executor.query('SELECT 1'), db.executor.query('SELECT 1')]);
    const inFlight = db.executor.query('SELECT pg_sleep(5)').catch((e) => e);
    // KILL only once the statement runs on the server (seen there directly, not through PgBouncer).
    const { adminUrl } = await testServer();
    const running = async () =>
      (await adminQuery(adminUrl, "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE '%pg_sleep(5)%' AND pid <> pg_backend_pid()", [tdb.name])).rowCount! > 0;
    await eventually(running, 4_000, 'pg_sleep(5) to be running on the server');
    await bouncer.admin(`KILL ${tdb.name}`);
    const error = await inFlight;
    assert.ok(error instanceof DatabaseUnavailableError, String(error));
    assert.match(error.message, /database removed/); // PgBouncer's 08P01 to every client of the database
    await eventually(() => db.poolStatus().total === 0, 5_000, 'the lent and the idle connection to be dropped');

    let settled = false;
    const waiting = db.executor.query<{ one: number }>('SELECT 1 AS one').finally(() => (settled = true));
    await sleep(300);
    assert.equal(settled, false, 'a new connection waits while the database is killed (paused)');
    await bouncer.admin(`RESUME ${tdb.name}`);
    assert.equal((await waiting).rows[0].one, 1);
    assert.equal((await db.healthCheck()).ok, true);
  });

  it('DISABLE fails new connections at once with DatabaseUnavailableError, open ones keep working; ENABLE recovers', async () => {
    const db = open({ pgbouncer: true, pool_timeout: 5 });
    await db.executor.query('SELECT 1');
    await bouncer.admin(`DISABLE ${tdb.name}`);
    try {
      assert.equal((await db.executor.query<{ one: number }>('SELECT 1 AS one')).rows[0].one, 1, 'the open connection still works');
      const fresh = open({ pgbouncer: true, pool_timeout: 5 });
      const started = Date.now();
      const error = await fresh.executor.query('SELECT 1').catch((e) => e);
      assert.ok(error instanceof DatabaseUnavailableError, String(error));
      assert.match(error.message, /is disabled/);
      assert.ok(Date.now() - started < 4000, 'refused at once, not after pool_timeout');
    } finally {
      await bouncer.admin(`ENABLE ${tdb.name}`);
    }
    const after = open({ pgbouncer: true, pool_timeout: 5 });
    assert.equal((await after.executor.query<{ one: number }>('SELECT 1 AS one')).rows[0].one, 1);
  });

  it('pre-ping works through PgBouncer: checkouts are pinged, and after KILL + RESUME the next checkout gets a live connection', async () => {
    const pool = createPool({
      name: 'pinged',
      connect: async () => {
        const client = new pg.Client({ connectionString: bouncer.url(tdb.name) });
        await client.connect();
        return client;
      },
      poolSize: 1,
      prePingBypassMs: 0,
      sessionSettings: false,
      logger: captureLogger(),
    });
    const selectOne = async () => {
      const connection = await pool.acquire();
      try {
        return (await connection.query('SELECT 1 AS one')).rows[0].one;
      } finally {
        connection.release();
      }
    };
    try {
      for (let i = 0; i < 3; i++) assert.equal(await selectOne(), 1);
      assert.ok(pool.metrics().prePings >= 2, 'at least every reuse was pinged');
      assert.equal(pool.metrics().prePingFailures, 0);

      await bouncer.admin(`KILL ${tdb.name}`);
      await bouncer.admin(`RESUME ${tdb.name}`);
      assert.equal(await selectOne(), 1, 'the killed connection is discarded (lost while idle, or by its ping) and a new one serves');
      assert.equal(await selectOne(), 1);
      const metrics = pool.metrics();
      assert.ok(metrics.connectionsInvalidated >= 1, JSON.stringify(metrics));
      assert.ok(metrics.prePings >= 3, JSON.stringify(metrics));
    } finally {
      await pool.end(1000);
    }
  });
});
