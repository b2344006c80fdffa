import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPool } from '../../src/pool/index.js';
import { QueryTimeoutError } from '../../src/errors.js';
import { translatePostgresError } from '../../src/dialect/postgres/errors.js';
import { createManualClock, eventually, pgConnect, pidOf, usePoolDatabase, settle } from './helpers.js';

const db = usePoolDatabase();

test('pg_sleep past the statement timeout fails with 57014 and the connection stays healthy', async () => {
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, statementTimeoutMs: 200 });
  const c = await pool.acquire();
  assert.equal((await c.query('SHOW statement_timeout')).rows[0].statement_timeout, '200ms', 'set per connection after connect');
  const pid = await pidOf(c);
  const { error } = await settle(c.query('SELECT pg_sleep(3)'));
  assert.equal((error as { code?: string }).code, '57014', 'the server error is rethrown raw');
  assert.ok(translatePostgresError(error) instanceof QueryTimeoutError, 'which the runtime maps to QueryTimeoutError');
  assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1, 'not wedged');
  c.release();
  const again = await pool.acquire();
  assert.equal(await pidOf(again), pid, 'the healthy connection went back to the pool');
  assert.equal(pool.status().invalid, 0);
  again.release();
  await pool.end();
});

test('the client-side guard throws QueryTimeoutError and destroys the connection', async () => {
  // sessionSettings false: no server-side timeout at all (as behind PgBouncer without SET LOCAL), only the guard.
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, statementTimeoutMs: 200, queryTimeoutGraceMs: 100, sessionSettings: false });
  const c = await pool.acquire();
  assert.equal((await c.query('SHOW statement_timeout')).rows[0].statement_timeout, '0', 'no session-level SET was issued');
  const pid = await pidOf(c);
  const { error } = await settle(c.query('SELECT pg_sleep(2)'));
  assert.ok(error instanceof QueryTimeoutError, String(error));
  assert.equal(error.timeoutMs, 300);
  assert.equal(error.sql, 'SELECT pg_sleep(2)');
  const { error: after } = await settle(c.query('SELECT 1'));
  assert.ok(after instanceof QueryTimeoutError, 'the connection is gone, not wedged');
  c.release();
  assert.equal(pool.status().invalid, 1);
  assert.equal(pool.status().total, 0);
  const next = await pool.acquire();
  assert.notEqual(await pidOf(next), pid);
  next.release();
  await pool.end();
});

test('a per-query timeoutMs overrides the default guard', async () => {
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1 });
  const c = await pool.acquire();
  const { error } = await settle(c.query('SELECT pg_sleep(2)', [], { timeoutMs: 150 }));
  assert.ok(error instanceof QueryTimeoutError);
  assert.equal(error.timeoutMs, 150);
  c.release();
  await eventually(() => pool.status().total === 0, 1_000, 'the connection to be evicted');
  await pool.end();
});

test('a query the client refuses synchronously rejects with its error and leaves no guard or running query behind', async () => {
  const clock = createManualClock();
  const real = pgConnect(db.url);
  const pool = createPool({
    poolSize: 1,
    clock,
    statementTimeoutMs: 1_000,
    queryTimeoutGraceMs: 0,
    connect: async () => {
      const client = await real();
      // Like a driver wrapper that checks values before sending anything: it throws, it does not reject.
      const send = client.query.bind(client) as (config: { values?: unknown[] }) => Promise<unknown>;
      (client as unknown as { query: unknown }).query = (config: { values?: unknown[] }) => {
        if (config.values?.some((v) => typeof v === 'bigint')) throw new TypeError('cannot serialize a BigInt');
        return send(config);
      };
      return client;
    },
  });
  const c = await pool.acquire();
  const { error } = await settle(c.query('SELECT $1::int8 AS n', [1n]));
  assert.ok(error instanceof TypeError, String(error));
  clock.advance(2_000); // past the guard the refused query would have had
  assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1, 'the connection is still usable');
  c.release();
  assert.deepEqual([pool.status().invalid, pool.status().checkedIn], [0, 1], 'returned to the pool, not destroyed');
  await pool.end();
});
