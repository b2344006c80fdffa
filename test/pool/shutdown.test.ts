import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPool } from '../../src/pool/index.js';
import { DatabaseUnavailableError, SqlwrightError } from '../../src/errors.js';
import { backendPids, eventually, pgConnect, usePoolDatabase, settle } from './helpers.js';

const db = usePoolDatabase();

const isClosed = (e: unknown) => e instanceof SqlwrightError && e.code === 'pool_closed';

test('end() stops new checkouts, waits for lent connections, then closes everything', async () => {
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 2 });
  const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
  a.release();
  let ended = false;
  const ending = pool.end(10_000).then(() => (ended = true));
  const { error } = await settle(pool.acquire());
  assert.ok(isClosed(error), String(error));
  assert.equal((await b.query('SELECT 1 AS one')).rows[0].one, 1, 'a lent connection keeps working');
  assert.equal(ended, false);
  b.release();
  await ending;
  assert.equal(pool.status().total, 0);
  await eventually(async () => (await backendPids(db.name)).length === 0, 5_000, 'backends to go');
});

test('end(timeoutMs) closes connections still lent after the timeout', async () => {
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1 });
  const c = await pool.acquire();
  await pool.end(100);
  assert.equal(pool.status().total, 0);
  const { error } = await settle(c.query('SELECT 1'));
  assert.ok(error instanceof DatabaseUnavailableError, String(error));
  c.release(); // late release after end: not an error
});

test('end() rejects the callers still waiting', async () => {
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, maxOverflow: 0 });
  const c = await pool.acquire();
  const waiting = settle(pool.acquire());
  const ending = pool.end(5_000);
  assert.ok(isClosed((await waiting).error));
  c.release();
  await ending;
  assert.equal(pool.end(), pool.end(), 'end() is idempotent');
});
