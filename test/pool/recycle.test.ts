import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPool } from '../../src/pool/index.js';
import { createManualClock, pgConnect, pidOf, usePoolDatabase } from './helpers.js';

const db = usePoolDatabase();

test('a connection is replaced at checkout once it is older than recycleMs', async () => {
  const clock = createManualClock();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, recycleMs: 100_000, idleTimeoutMs: 0, clock });
  const c = await pool.acquire();
  const pid = await pidOf(c);
  c.release();
  clock.advance(97_000); // below the lifetime even with the largest jitter (2.5 %)
  const same = await pool.acquire();
  assert.equal(await pidOf(same), pid);
  same.release();
  clock.advance(3_000); // 100 000 ms old: past any jittered lifetime
  const next = await pool.acquire();
  assert.notEqual(await pidOf(next), pid);
  assert.equal(pool.metrics().connectionsRecycled, 1);
  assert.equal(pool.status().invalid, 0, 'recycling by age is not an invalidation');
  next.release();
  await pool.end();
});

test('a connection past its age is never closed while in use, only when it comes back', async () => {
  const clock = createManualClock();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, recycleMs: 10_000, clock });
  const reasons: string[] = [];
  pool.on('close', (e) => reasons.push(e.reason!));
  const c = await pool.acquire();
  const pid = await pidOf(c);
  clock.advance(60_000); // several housekeeping passes while lent
  assert.equal(await pidOf(c), pid, 'still the same, working connection');
  assert.deepEqual(reasons, []);
  c.release();
  assert.deepEqual(reasons, ['recycled']);
  assert.equal(pool.status().total, 0);
  await pool.end();
});

test('the housekeeper retires idle connections past their age', async () => {
  const clock = createManualClock();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 2, recycleMs: 10_000, clock });
  const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
  a.release();
  b.release();
  assert.equal(pool.status().checkedIn, 2);
  clock.advance(15_000);
  assert.equal(pool.status().checkedIn, 0);
  assert.equal(pool.metrics().connectionsRecycled, 2);
  await pool.end();
});

test('an invalidated connection is destroyed and replaced', async () => {
  const clock = createManualClock();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, clock });
  const c = await pool.acquire();
  const pid = await pidOf(c);
  c.invalidate('test says so');
  assert.equal(pool.status().invalid, 1);
  assert.equal(pool.status().total, 0);
  const next = await pool.acquire();
  assert.notEqual(await pidOf(next), pid);
  next.release();
  await pool.end();
});

test('invalidateIdle closes idle connections now and lent ones when they return', async () => {
  const clock = createManualClock();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 2, clock });
  const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
  const pids = [await pidOf(a), await pidOf(b)];
  a.release();
  pool.invalidateIdle();
  assert.deepEqual({ checkedIn: pool.status().checkedIn, checkedOut: pool.status().checkedOut, invalid: pool.status().invalid }, { checkedIn: 0, checkedOut: 1, invalid: 1 });
  b.release();
  assert.equal(pool.status().total, 0);
  assert.equal(pool.status().invalid, 2);
  const next = await pool.acquire();
  assert.ok(!pids.includes(await pidOf(next)));
  next.release();
  await pool.end();
});
