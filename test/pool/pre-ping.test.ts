import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPool, type PgClientLike } from '../../src/pool/index.js';
import { backendPids, captureLogger, createManualClock, pgConnect, pidOf, usePoolDatabase, settle, terminateBackends } from './helpers.js';

const db = usePoolDatabase();

/** A real client whose queries can be made to fail as a dead (or otherwise failing) connection would. */
function faultable(connect: () => Promise<PgClientLike>) {
  const clients: { fail?: Error; client: PgClientLike }[] = [];
  const factory = async (): Promise<PgClientLike> => {
    const real = await connect();
    const slot: { fail?: Error; client: PgClientLike } = { client: real };
    clients.push(slot);
    slot.client = {
      query: (config) => (slot.fail ? Promise.reject(slot.fail) : real.query(config)),
      end: () => real.end(),
      on: ((event: 'error', listener: (e: Error) => void) => real.on(event, listener)) as PgClientLike['on'],
      getTransactionStatus: () => real.getTransactionStatus?.() ?? null,
    };
    return slot.client;
  };
  return { factory, clients };
}

test('after pg_terminate_backend of every idle connection, the next checkouts all succeed', async () => {
  const clock = createManualClock();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 5, clock, logger: captureLogger() });
  const first = await Promise.all(Array.from({ length: 5 }, () => pool.acquire()));
  const oldPids = await Promise.all(first.map(pidOf));
  for (const c of first) c.release();
  clock.advance(600); // outside the bypass window: checkouts ping
  assert.equal(await terminateBackends(db.name), 5);

  const next = await Promise.all(Array.from({ length: 5 }, () => pool.acquire()));
  const newPids = await Promise.all(next.map(pidOf));
  assert.equal(newPids.filter((p) => oldPids.includes(p)).length, 0, 'no terminated backend handed out');
  assert.equal(pool.status().invalid, 5, 'each dead connection was evicted');
  for (const c of next) c.release();
  await pool.end();
});

test('a disconnect at pre-ping discards the connection, recycles its idle siblings and retries', async () => {
  const clock = createManualClock();
  const { factory, clients } = faultable(pgConnect(db.url));
  const pool = createPool({ connect: factory, poolSize: 3, clock });
  const first = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
  for (const c of first) c.release();
  clock.advance(600);
  // As after a server restart whose socket closes we have not noticed yet.
  for (const slot of clients) slot.fail = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

  const conn = await pool.acquire();
  assert.equal((await conn.query('SELECT 2 AS two')).rows[0].two, 2);
  const m = pool.metrics();
  assert.equal(m.prePings, 1, 'siblings marked stale were replaced without a ping each');
  assert.equal(m.prePingFailures, 1);
  assert.equal(m.connectionsCreated, 4);
  assert.equal(pool.status().invalid, 3);
  assert.equal(pool.status().checkedIn, 0);
  conn.release();
  await pool.end();
});

test('a pre-ping error that is not a disconnect reaches the caller', async () => {
  const clock = createManualClock();
  const { factory, clients } = faultable(pgConnect(db.url));
  const pool = createPool({ connect: factory, poolSize: 1, clock });
  (await pool.acquire()).release();
  clock.advance(600);
  const failure = Object.assign(new Error('permission denied'), { code: '42501' });
  clients[0].fail = failure;
  const { error } = await settle(pool.acquire());
  assert.equal(error, failure);
  assert.equal(pool.metrics().prePingFailures, 0);
  await pool.end();
});

test('pre-ping is skipped for a fresh connection and inside the bypass window, and 0 means always', async () => {
  const clock = createManualClock();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, clock });
  const c = await pool.acquire();
  assert.equal(pool.metrics().prePings, 0, 'fresh connection: no ping');
  c.release();
  clock.advance(499);
  (await pool.acquire()).release();
  assert.equal(pool.metrics().prePings, 0, 'used 499 ms ago: no ping');
  clock.advance(500);
  (await pool.acquire()).release();
  assert.equal(pool.metrics().prePings, 1, 'used 500 ms ago: ping');
  await pool.end();

  const always = createPool({ connect: pgConnect(db.url), poolSize: 1, prePingBypassMs: 0, clock });
  (await always.acquire()).release();
  (await always.acquire()).release();
  (await always.acquire()).release();
  assert.equal(always.metrics().prePings, 2);
  await always.end();

  const never = createPool({ connect: pgConnect(db.url), poolSize: 1, prePing: false, clock });
  (await never.acquire()).release();
  clock.advance(10_000);
  (await never.acquire()).release();
  assert.equal(never.metrics().prePings, 0);
  await never.end();
  assert.deepEqual(await backendPids(db.name), []);
});
