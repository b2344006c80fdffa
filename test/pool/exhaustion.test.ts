import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { createPool, type PooledConnection } from '../../src/pool/index.js';
import { CONNECT_RETRY_MS } from '../../src/pool/opener.js';
import { PoolTimeoutError } from '../../src/errors.js';
import { createManualClock, eventually, pgConnect, usePoolDatabase, settle } from './helpers.js';

const db = usePoolDatabase();

test('at poolSize + maxOverflow the next checkout times out with the status and the design wording', async () => {
  const clock = createManualClock();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 2, maxOverflow: 1, clock, name: 'exhaust' });
  const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
  assert.deepEqual(pool.status(), { size: 2, checkedIn: 0, checkedOut: 3, overflow: 1, invalid: 0, waiting: 0, total: 3, max: 3 });

  const next = settle(pool.acquire());
  await tick();
  assert.equal(pool.status().waiting, 1);
  clock.advance(29_999);
  assert.equal(pool.status().waiting, 1, 'still waiting just before poolTimeout');
  clock.advance(1);
  const { error } = await next;
  assert.ok(error instanceof PoolTimeoutError, `expected PoolTimeoutError, got ${String(error)}`);
  assert.match(error.message, /^pool limit of size 2 overflow 1 reached, connection timed out, timeout 30s/);
  assert.equal(error.status.checkedOut, 3);
  assert.equal(error.status.waiting, 1);
  assert.equal(error.status.max, 3);
  assert.equal(pool.status().waiting, 0);
  assert.equal(pool.metrics().timeouts, 1);

  for (const c of held) c.release();
  await pool.end();
});

test('waiters are served first come, first served, by released connections', async () => {
  const clock = createManualClock();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, maxOverflow: 1, clock });
  const [c1, c2] = await Promise.all([pool.acquire(), pool.acquire()]);
  const order: string[] = [];
  const waiter = (name: string) => pool.acquire().then((c) => (order.push(name), c));
  const a = waiter('a');
  const b = waiter('b');
  const c = waiter('c');
  await tick();
  assert.equal(pool.status().waiting, 3);

  c1.release();
  const ca = await a;
  assert.equal(ca.raw, c1.raw, 'the released connection served the oldest waiter');
  assert.deepEqual(order, ['a']);
  c2.release();
  const cb = await b;
  assert.equal(cb.raw, c2.raw);
  ca.release();
  const cc = await c;
  assert.deepEqual(order, ['a', 'b', 'c']);
  assert.equal(pool.metrics().connectionsCreated, 2, 'no connection opened beyond capacity');
  cb.release();
  cc.release();
  await pool.end();
});

test('a waiter is not tied to the connection being opened for it: a release meanwhile serves it', async () => {
  let gate: (() => void) | undefined;
  const real = pgConnect(db.url);
  const pool = createPool({
    poolSize: 1,
    maxOverflow: 1,
    connect: async () => {
      if (gate === undefined) return real(); // the first connect is immediate
      const client = await real();
      await new Promise<void>((resolve) => (gate = resolve));
      return client;
    },
  });
  const c1 = await pool.acquire();
  gate = () => undefined; // from now on, connects wait for the gate
  const waiting = pool.acquire();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(pool.status().total, 2, 'a second connection is being opened');
  c1.release();
  const c2 = await waiting;
  assert.equal(c2.raw, c1.raw, 'served by the released connection, not the one still opening');
  gate();
  await new Promise((r) => setTimeout(r, 50));
  // The late connection went idle instead of being lost.
  assert.deepEqual({ ...pool.status(), invalid: undefined }, { size: 1, checkedIn: 1, checkedOut: 1, overflow: 1, invalid: undefined, waiting: 0, total: 2, max: 2 });
  c2.release();
  await pool.end();
});

test('idle connections are reused last in, first out', async () => {
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 3, clock: createManualClock() });
  const conns: PooledConnection[] = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
  const raws = conns.map((c) => c.raw);
  for (const c of conns) c.release();
  const next = await pool.acquire();
  assert.equal(next.raw, raws[2], 'the most recently returned connection');
  next.release();
  await pool.end();
});

test('each waiter times out at its own deadline', async () => {
  const clock = createManualClock();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, maxOverflow: 0, poolTimeoutMs: 30_000, clock });
  const held = await pool.acquire();
  const first = settle(pool.acquire());
  await tick();
  clock.advance(10_000);
  const second = settle(pool.acquire());
  await tick();
  clock.advance(20_000);
  assert.ok((await first).error instanceof PoolTimeoutError);
  assert.equal(pool.status().waiting, 1, 'the later waiter still waits');
  clock.advance(10_000);
  assert.ok((await second).error instanceof PoolTimeoutError);
  assert.equal(pool.metrics().timeouts, 2);
  held.release();
  await pool.end();
});

test('below capacity a slow connect is waited for past poolTimeoutMs, which bounds only the wait at capacity', async () => {
  const real = pgConnect(db.url);
  const pool = createPool({
    poolSize: 5,
    maxOverflow: 5,
    poolTimeoutMs: 200,
    connectTimeoutMs: 10_000,
    connect: async () => {
      const client = await real();
      await new Promise((r) => setTimeout(r, 600));
      return client;
    },
  });
  const c = await pool.acquire();
  assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
  assert.equal(pool.metrics().timeouts, 0);
  c.release();
  await pool.end();
});

test('at capacity a waiter times out with the last connect error as cause; one a connect covers waits for it', async () => {
  const clock = createManualClock();
  const real = pgConnect(db.url);
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  let mode: 'ok' | 'fail' | 'hold' = 'ok';
  let open: (() => void) | undefined;
  const pool = createPool({
    poolSize: 1,
    maxOverflow: 1,
    poolTimeoutMs: 1_000,
    connectTimeoutMs: 60_000,
    clock,
    connect: async () => {
      const now = mode;
      if (now === 'fail') throw refused;
      const client = await real();
      if (now === 'hold') await new Promise<void>((resolve) => (open = resolve));
      return client;
    },
  });
  const a = await pool.acquire();
  mode = 'fail';
  // Its connect is refused; `a` is lent and may come back, so it stays queued.
  const covered = settle(pool.acquire());
  await eventually(() => pool.metrics().connectFailures === 1, 5_000, 'the refused connect');
  mode = 'hold';
  clock.advance(CONNECT_RETRY_MS); // the retry opens the last connection, which is held back
  await eventually(() => open !== undefined, 5_000, 'the held connect');
  const atCapacity = settle(pool.acquire());
  await tick();
  assert.deepEqual([pool.status().total, pool.status().waiting], [2, 2]);

  clock.advance(1_000);
  const { error } = await atCapacity;
  assert.ok(error instanceof PoolTimeoutError, String(error));
  assert.equal(error.cause, refused, 'the last connect error');
  assert.equal(error.status.total, error.status.max);
  assert.equal(pool.status().waiting, 1, 'the waiter a connect covers is past its deadline but still waits');
  open!();
  const { value: conn, error: coveredError } = await covered;
  assert.ok(conn, String(coveredError));
  assert.equal(pool.metrics().timeouts, 1);
  conn.release();
  a.release();
  await pool.end();
});
