import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import type pg from 'pg';
import { createPool, type PgClientLike } from '../../src/pool/index.js';
import { PoolTimeoutError, SqlwrightError } from '../../src/errors.js';
import { backendPids, captureLogger, createManualClock, eventually, holdIncoming, pgConnect, pidOf, usePoolDatabase, settle, terminateBackends } from './helpers.js';

const db = usePoolDatabase();

interface Slot {
  /** Queries fail with this, as on a dead (or otherwise failing) connection. */
  fail?: Error;
  /** Queries never answer, as on a blackholed socket. */
  hang?: boolean;
  /** Queries go to the server only once this settles, as over a slow network. */
  delay?: Promise<void>;
  client: PgClientLike;
}

/** Real clients whose queries can be made to fail or hang; `clients` is in the order they were opened. */
function faultable(connect: () => Promise<PgClientLike>) {
  const clients: Slot[] = [];
  const factory = async (): Promise<PgClientLike> => {
    const real = await connect();
    const slot: Slot = { client: real };
    clients.push(slot);
    slot.client = {
      query: (config) => {
        if (slot.hang) return new Promise(() => undefined);
        if (slot.fail) return Promise.reject(slot.fail);
        return slot.delay ? slot.delay.then(() => real.query(config)) : real.query(config);
      },
      end: () => real.end(),
      on: ((event: 'error', listener: (e: Error) => void) => real.on(event, listener)) as PgClientLike['on'],
      getTransactionStatus: () => real.getTransactionStatus?.() ?? null,
    };
    return slot.client;
  };
  return { factory, clients };
}

const terminated = () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

test('after pg_terminate_backend of every idle connection, the pre-pings catch it and the next checkouts all succeed', async () => {
  const clock = createManualClock();
  const created: pg.Client[] = [];
  const pool = createPool({ connect: pgConnect(db.url, created), poolSize: 5, clock, logger: captureLogger() });
  const first = await Promise.all(Array.from({ length: 5 }, () => pool.acquire()));
  const oldPids = await Promise.all(first.map(pidOf));
  for (const c of first) c.release();
  // The clients do not read the FATAL until pinged: no 'error' event can evict them first.
  const resume = holdIncoming([...created]);
  assert.equal(await terminateBackends(db.name), 5);
  await eventually(async () => (await backendPids(db.name)).length === 0, 5_000, 'the backends to exit');
  clock.advance(600); // outside the bypass window: checkouts ping
  resume();

  const next = await Promise.all(Array.from({ length: 5 }, () => pool.acquire()));
  const newPids = await Promise.all(next.map(pidOf));
  assert.equal(newPids.filter((p) => oldPids.includes(p)).length, 0, 'no terminated backend handed out');
  assert.equal(pool.metrics().prePingFailures, 5, 'each dead connection was found by its pre-ping');
  assert.equal(pool.status().invalid, 5, 'each dead connection was evicted');
  for (const c of next) c.release();
  await pool.end();
});

test('a disconnect at pre-ping discards the connection and those opened before it; younger ones keep their own ping', async () => {
  const clock = createManualClock();
  const { factory, clients } = faultable(pgConnect(db.url));
  const pool = createPool({ connect: factory, poolSize: 4, clock });
  const reasons: string[] = [];
  pool.on('invalidate', (e) => reasons.push(e.reason!));
  // Opened one after the other: c0 is the oldest.
  const [c0, c1, c2, c3] = [await pool.acquire(), await pool.acquire(), await pool.acquire(), await pool.acquire()];
  c1.release();
  c3.release();
  c2.release(); // idle, most recent last: c1, c3, c2; c0 stays lent
  clock.advance(600);
  // As after a server restart whose socket closes we have not noticed yet; c3 was opened after it.
  for (const slot of clients.slice(0, 3)) slot.fail = terminated();

  const conn = await pool.acquire();
  assert.equal(conn.raw, c3.raw, 'the younger idle connection was pinged and lent');
  assert.equal((await conn.query('SELECT 2 AS two')).rows[0].two, 2);
  const m = pool.metrics();
  assert.deepEqual([m.prePings, m.prePingFailures, m.connectionsCreated], [2, 1, 4]);
  assert.deepEqual(reasons, ['pre-ping failed', 'stale'], 'c2 failed its ping; the older idle c1 was closed without one');
  c0.release();
  assert.deepEqual(reasons, ['pre-ping failed', 'stale', 'stale'], 'the older lent c0 was closed when it came back');
  assert.deepEqual([pool.status().invalid, pool.status().checkedIn], [3, 0]);
  conn.release();
  await pool.end();
});

test('a connection that sat idle without ever being lent is pinged like any other', async () => {
  const clock = createManualClock();
  let gate: Promise<void> | undefined;
  const real = pgConnect(db.url);
  const { factory, clients } = faultable(async () => {
    const client = await real();
    await gate;
    return client;
  });
  const pool = createPool({ connect: factory, poolSize: 2, clock });
  const a = await pool.acquire();
  let open!: () => void;
  gate = new Promise<void>((resolve) => (open = resolve));
  const waiting = pool.acquire(); // opens a second connection, held back
  await tick();
  a.release(); // serves the waiter first
  const held = await waiting;
  open();
  await eventually(() => pool.status().checkedIn === 1, 5_000, 'the late connection to go idle');
  clock.advance(10_000); // idle, never lent, far outside the bypass window
  clients[1].fail = terminated();

  const c = await pool.acquire();
  assert.notEqual(c.raw, clients[1].client, 'the dead connection was not lent');
  assert.deepEqual([pool.metrics().prePings, pool.metrics().prePingFailures], [1, 1]);
  assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
  c.release();
  held.release();
  await pool.end();
});

test('a pre-ping still running at the caller\'s deadline: PoolTimeoutError for the caller; the connection, which answers later, goes back and its siblings are untouched', async () => {
  const clock = createManualClock();
  const { factory, clients } = faultable(pgConnect(db.url));
  const pool = createPool({ connect: factory, poolSize: 2, maxOverflow: 0, poolTimeoutMs: 1_000, pingTimeoutMs: 5_000, prePingBypassMs: 0, clock });
  const older = await pool.acquire();
  const held = await pool.acquire();
  let settled = false;
  const waiting = settle(pool.acquire()).finally(() => (settled = true));
  await tick();
  clock.advance(900);
  let answer!: () => void;
  clients[1].delay = new Promise<void>((resolve) => (answer = resolve));
  held.release(); // serves the waiter, whose ping (always, with a 0 bypass) is slow to answer
  await tick();
  clock.advance(100);
  await tick();
  assert.ok(settled, 'the caller was answered at its deadline, not after pingTimeoutMs');
  const { error } = await waiting;
  assert.ok(error instanceof PoolTimeoutError, String(error));
  assert.deepEqual([pool.metrics().timeouts, pool.metrics().prePingFailures, pool.status().invalid], [1, 0, 0]);
  assert.equal(pool.status().total, 2, 'the connection being pinged was not destroyed');

  answer();
  await eventually(() => pool.status().checkedIn === 1, 5_000, 'the answered connection to go back to the pool');
  older.release();
  assert.deepEqual([pool.status().checkedIn, pool.status().invalid], [2, 0], 'the older sibling was not marked stale');
  const c = await pool.acquire();
  assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
  c.release();
  await pool.end();
});

test('a pre-ping that outlives its caller and then runs out of pingTimeoutMs evicts its connection as a failed ping', async () => {
  const clock = createManualClock();
  const { factory, clients } = faultable(pgConnect(db.url));
  const pool = createPool({ connect: factory, poolSize: 1, maxOverflow: 0, poolTimeoutMs: 1_000, pingTimeoutMs: 5_000, prePingBypassMs: 0, clock });
  const held = await pool.acquire();
  const waiting = settle(pool.acquire());
  await tick();
  clients[0].hang = true;
  held.release();
  await tick();
  clock.advance(1_000);
  assert.ok((await waiting).error instanceof PoolTimeoutError);
  assert.equal(pool.status().total, 1, 'still being pinged');
  clock.advance(5_000);
  await eventually(() => pool.status().total === 0, 5_000, 'the connection to be evicted');
  assert.deepEqual([pool.metrics().prePingFailures, pool.status().invalid], [1, 1]);
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

test('pre-ping is skipped inside the bypass window (counted from the open or the last return), and 0 means always', async () => {
  const clock = createManualClock();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, clock });
  const c = await pool.acquire();
  assert.equal(pool.metrics().prePings, 0, 'just opened: no ping');
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
  assert.equal(always.metrics().prePings, 3, 'a just-opened connection too');
  await always.end();

  const never = createPool({ connect: pgConnect(db.url), poolSize: 1, prePing: false, clock });
  (await never.acquire()).release();
  clock.advance(10_000);
  (await never.acquire()).release();
  assert.equal(never.metrics().prePings, 0);
  await never.end();
  assert.deepEqual(await backendPids(db.name), []);
});

test('end() right after a release served a waiter fails that waiter at once, without starting its ping', async () => {
  const clock = createManualClock();
  const { factory, clients } = faultable(pgConnect(db.url));
  const pool = createPool({ connect: factory, poolSize: 1, maxOverflow: 0, prePingBypassMs: 0, pingTimeoutMs: 10_000, clock });
  const held = await pool.acquire();
  let settled = false;
  const waiting = settle(pool.acquire()).finally(() => (settled = true));
  await tick();
  let answer!: () => void;
  clients[0].delay = new Promise<void>((resolve) => (answer = resolve)); // a ping would not answer until the end of the test
  const pinged = pool.metrics().prePings;
  try {
    held.release(); // serves the waiter, which has not resumed yet
    const ending = pool.end(5_000);
    await eventually(() => settled, 2_000, 'the waiter to be answered without waiting for a ping');
    const { error } = await waiting;
    assert.ok(error instanceof SqlwrightError && error.code === 'pool_closed', String(error));
    assert.equal(pool.metrics().prePings, pinged, 'no ping was started');
    await ending;
    assert.equal(pool.status().total, 0);
  } finally {
    answer();
  }
});

test('a connection marked stale while its pre-ping runs is not lent when the ping answers', async () => {
  const clock = createManualClock();
  const { factory, clients } = faultable(pgConnect(db.url));
  const pool = createPool({ connect: factory, poolSize: 1, maxOverflow: 0, prePingBypassMs: 0, clock });
  const first = await pool.acquire();
  const oldPid = await pidOf(first);
  first.release();
  let answer!: () => void;
  clients[0].delay = new Promise<void>((resolve) => (answer = resolve));
  const pinged = pool.metrics().prePings;
  const checkout = pool.acquire();
  await eventually(() => pool.metrics().prePings === pinged + 1, 5_000, 'the pre-ping');
  pool.invalidateIdle(); // a restart, say: every connection open now is to be replaced
  answer();
  const c = await checkout;
  assert.notEqual(await pidOf(c), oldPid, 'a new connection, not the stale one');
  assert.deepEqual([pool.status().invalid, pool.metrics().connectionsCreated], [1, 2]);
  c.release();
  await pool.end();
});
