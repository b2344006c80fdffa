import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPool } from '../../src/pool/index.js';
import { QueryTimeoutError } from '../../src/errors.js';
import { translatePostgresError } from '../../src/dialect/postgres/errors.js';
import { eventually, pgConnect, pidOf, usePoolDatabase, settle } from './helpers.js';

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
