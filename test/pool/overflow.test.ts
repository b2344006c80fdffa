import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPool, type PoolEvent } from '../../src/pool/index.js';
import { DatabaseUnavailableError } from '../../src/errors.js';
import { backendPids, createManualClock, eventually, pgConnect, usePoolDatabase, settle } from './helpers.js';

const db = usePoolDatabase();

test('overflow connections open under load and close when they return to a full pool', async () => {
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 2, maxOverflow: 2, clock: createManualClock() });
  const closes: PoolEvent[] = [];
  pool.on('close', (e) => closes.push(e));
  const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()]);
  assert.deepEqual(pool.status(), { size: 2, checkedIn: 0, checkedOut: 4, overflow: 2, invalid: 0, waiting: 0, total: 4, max: 4 });
  await eventually(async () => (await backendPids(db.name)).length === 4, 5_000, '4 backends');

  for (const c of held) c.release();
  assert.deepEqual(pool.status(), { size: 2, checkedIn: 2, checkedOut: 0, overflow: 0, invalid: 0, waiting: 0, total: 2, max: 4 });
  assert.deepEqual(closes.map((e) => e.reason), ['overflow', 'overflow']);
  assert.equal(pool.metrics().connectionsClosed, 2);
  await eventually(async () => (await backendPids(db.name)).length === 2, 5_000, 'overflow backends to go');
  await pool.end();
  await eventually(async () => (await backendPids(db.name)).length === 0, 5_000, 'all backends to go');
});

test('the idle timeout trims idle overflow down to poolSize, never below', async () => {
  const clock = createManualClock();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, maxOverflow: 2, idleTimeoutMs: 1_000, clock });
  const reasons: string[] = [];
  pool.on('close', (e) => reasons.push(e.reason!));
  const [a, b, c] = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
  a.release(); // kept: fewer than poolSize idle
  b.release(); // closed: poolSize already idle
  assert.deepEqual(reasons, ['overflow']);
  assert.equal(pool.status().total, 2);
  clock.advance(999);
  assert.equal(pool.status().checkedIn, 1, 'not idle long enough yet');
  clock.advance(600);
  assert.deepEqual(reasons, ['overflow', 'idle timeout']);
  assert.deepEqual({ total: pool.status().total, checkedIn: pool.status().checkedIn, overflow: pool.status().overflow }, { total: 1, checkedIn: 0, overflow: 0 });
  c.release();
  clock.advance(5_000);
  assert.equal(pool.status().checkedIn, 1, 'the last connection stays: total is back at poolSize');
  await pool.end();
});

test('a failed connect gives its slot back and fails fast with DatabaseUnavailableError', async () => {
  let failures = 3;
  const real = pgConnect(db.url);
  const pool = createPool({
    poolSize: 1,
    maxOverflow: 0,
    connect: async () => {
      if (failures-- > 0) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
      return real();
    },
  });
  for (let i = 0; i < 3; i++) {
    const { error } = await settle(pool.acquire());
    assert.ok(error instanceof DatabaseUnavailableError, `attempt ${i}: ${String(error)}`);
    assert.equal((error.cause as { code?: string }).code, 'ECONNREFUSED');
    assert.equal(pool.status().total, 0, 'the slot was given back');
  }
  const conn = await pool.acquire();
  assert.equal((await conn.query('SELECT 1 AS one')).rows[0].one, 1);
  assert.equal(pool.metrics().connectFailures, 3);
  conn.release();
  await pool.end();
});

test('a connect that hangs is bounded by connectTimeoutMs', async () => {
  const pool = createPool({ poolSize: 1, maxOverflow: 0, connectTimeoutMs: 100, connect: () => new Promise(() => undefined) });
  // The pool's timers are unref'd; a real hanging connect holds a socket that keeps the process up, this fake does not.
  const keepAlive = setInterval(() => undefined, 1_000);
  const { error } = await settle(pool.acquire());
  assert.ok(error instanceof DatabaseUnavailableError, String(error));
  assert.match(error.message, /timed out after 100ms/);
  assert.equal(pool.status().total, 0);
  await pool.end(); // waits, at most the 2 s close limit, for the factory it gave up on, which never returns
  clearInterval(keepAlive);
});
