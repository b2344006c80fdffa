import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import type pg from 'pg';
import { createPool, type PgClientLike, type PooledConnection } from '../../src/pool/index.js';
import { CONNECT_RETRY_MS } from '../../src/pool/opener.js';
import { DatabaseUnavailableError, PoolTimeoutError } from '../../src/errors.js';
import { backendPids, createManualClock, eventually, pgConnect, usePoolDatabase, settle } from './helpers.js';

const db = usePoolDatabase();

const tooManyClients = () => Object.assign(new Error('sorry, too many clients already'), { code: '53300' });

test('a connect refused while connections are lent fails no waiter and starts no reconnect storm: the releases serve the queue', async () => {
  const clock = createManualClock();
  const real = pgConnect(db.url);
  let attempts = 0;
  // The server has room for 4 of our connections: the overflow slot's connect is refused.
  const pool = createPool({
    poolSize: 4,
    maxOverflow: 1,
    clock,
    connect: async () => {
      if (++attempts > 4) throw tooManyClients();
      return real();
    },
  });
  const held = await Promise.all(Array.from({ length: 4 }, () => pool.acquire()));
  const use = async (c: PooledConnection) => {
    await c.query('SELECT 1');
    c.release();
  };
  const waiters = Array.from({ length: 20 }, () => settle(pool.acquire().then(use)));
  await eventually(() => pool.metrics().connectFailures === 1, 5_000, 'the refused connect');
  await tick();
  assert.equal(pool.status().waiting, 20, 'no waiter was failed by the refusal');

  for (const c of held) c.release();
  const failed = (await Promise.all(waiters)).filter((r) => r.error !== undefined);
  assert.deepEqual(failed.map((r) => String(r.error)), [], 'every waiter was served by a released connection');
  assert.equal(attempts, 5, 'one refused connect, no retry while the pause lasts');
  await pool.end();
});

test('after a refused connect with connections lent, one connect is retried after a pause; a waiter nothing serves times out with the refusal as cause', async () => {
  const clock = createManualClock();
  const real = pgConnect(db.url);
  let refuse = false;
  let attempts = 0;
  const refusal = tooManyClients();
  const pool = createPool({
    poolSize: 1,
    maxOverflow: 2,
    poolTimeoutMs: 1_000,
    clock,
    connect: async () => {
      attempts++;
      if (refuse) throw refusal;
      return real();
    },
  });
  const held = await pool.acquire();
  refuse = true;
  const first = settle(pool.acquire());
  const second = settle(pool.acquire());
  await eventually(() => pool.metrics().connectFailures === 2, 5_000, 'the two overflow connects to be refused');
  await tick();
  assert.deepEqual([attempts, pool.status().waiting, pool.status().total], [3, 2, 1], 'nobody failed; both slots given back');

  clock.advance(CONNECT_RETRY_MS - 1);
  await tick();
  assert.equal(attempts, 3, 'no connect during the pause');
  clock.advance(1);
  await eventually(() => pool.metrics().connectFailures === 3, 5_000, 'the retried connect');
  await tick();
  assert.deepEqual([attempts, pool.status().waiting], [4, 2], 'one retry, though two slots are free for two waiters');

  held.release();
  const { value: served, error: servedError } = await first;
  assert.ok(served, `the oldest waiter was served by the release: ${String(servedError)}`);
  clock.advance(1_000 - CONNECT_RETRY_MS);
  const { error } = await second;
  assert.ok(error instanceof PoolTimeoutError, String(error));
  assert.equal(error.cause, refusal, 'the last connect error');
  served.release();
  await pool.end();
});

test('while a refused connect is retried, acquire() calls and closed connections start no connect of their own: one in flight at a time', async () => {
  const clock = createManualClock();
  const real = pgConnect(db.url);
  let refuse = false;
  let attempts = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const refusals: (() => void)[] = []; // each refused connect answers when the test says so
  const pool = createPool({
    poolSize: 2,
    maxOverflow: 10,
    poolTimeoutMs: 60_000,
    clock,
    connect: async () => {
      attempts++;
      if (!refuse) return real();
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((resolve) => refusals.push(resolve));
      inFlight--;
      throw tooManyClients();
    },
  });
  const [kept, dropped] = await Promise.all([pool.acquire(), pool.acquire()]);
  refuse = true;
  const use = async (c: PooledConnection) => {
    await c.query('SELECT 1');
    c.release();
  };
  const waiters = [settle(pool.acquire().then(use))];
  await eventually(() => refusals.length === 1, 5_000, 'the first connect');
  refusals.shift()!();
  await eventually(() => pool.metrics().connectFailures === 1, 5_000, 'the refusal');
  clock.advance(CONNECT_RETRY_MS);
  await eventually(() => refusals.length === 1, 5_000, 'the retried connect');

  for (let i = 0; i < 20; i++) {
    waiters.push(settle(pool.acquire().then(use)));
    await tick();
  }
  dropped.invalidate(); // a closed connection frees a slot
  await tick();
  assert.deepEqual([attempts, maxInFlight], [4, 1], 'the retry still running: no second connect');
  assert.deepEqual([pool.status().total, pool.status().waiting], [2, 21], 'one connection open, one opening');

  refusals.shift()!();
  await eventually(() => pool.metrics().connectFailures === 2, 5_000, 'the retry to be refused');
  await tick();
  assert.equal(attempts, 4, 'a pause again');
  refuse = false;
  clock.advance(CONNECT_RETRY_MS);
  const failed = (await Promise.all(waiters)).filter((r) => r.error !== undefined);
  assert.deepEqual(failed.map((r) => String(r.error)), [], 'once a connect succeeded, the waiters got connects of their own');
  assert.equal(maxInFlight, 1);
  kept.release();
  await pool.end();
});

test('a failed connect with nothing open fails the oldest waiter at once; the next waiter gets a connect of its own', async () => {
  const real = pgConnect(db.url);
  let failures = 1;
  const pool = createPool({
    poolSize: 1,
    maxOverflow: 0,
    poolTimeoutMs: 20_000,
    connect: async () => {
      if (failures-- > 0) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      return real();
    },
  });
  const started = Date.now();
  const [first, second] = await Promise.all([settle(pool.acquire()), settle(pool.acquire())]);
  const elapsed = Date.now() - started;
  assert.ok(first.error instanceof DatabaseUnavailableError, String(first.error));
  assert.ok(second.value, `the second caller was served, not left to time out: ${String(second.error)}`);
  assert.ok(elapsed < 5_000, `answered in ${elapsed} ms, not after poolTimeoutMs`);
  assert.deepEqual([pool.metrics().connectFailures, pool.metrics().connectionsCreated], [1, 1]);
  second.value.release();
  await pool.end();
});

test('connectTimeoutMs bounds connect() and the session SET together, not each', async () => {
  const clock = createManualClock();
  const real = pgConnect(db.url);
  let setSent = false;
  const pool = createPool({
    poolSize: 1,
    connectTimeoutMs: 500,
    poolTimeoutMs: 20_000,
    clock,
    connect: async () => {
      const client = await real();
      clock.advance(300); // a connect that took 300 of the 500 ms
      const wrapped: PgClientLike = {
        // The session SET never answers.
        query: (config) => (/^SET statement_timeout/.test(config.text) ? ((setSent = true), new Promise(() => undefined)) : client.query(config)),
        end: () => client.end(),
        on: ((event: 'error', listener: (e: Error) => void) => client.on(event, listener)) as PgClientLike['on'],
        getTransactionStatus: () => client.getTransactionStatus(),
      };
      return wrapped;
    },
  });
  let settled = false;
  const checkout = settle(pool.acquire()).finally(() => (settled = true));
  await eventually(() => setSent, 5_000, 'the session SET');
  clock.advance(199);
  await tick();
  assert.equal(settled, false, 'still within connectTimeoutMs');
  clock.advance(1);
  await tick();
  const answeredAtTheBound = settled;
  clock.advance(1_000); // lets a SET with a bound of its own run out too, so a failure here does not hang
  const { error } = await checkout;
  assert.ok(answeredAtTheBound, `answered when connectTimeoutMs ran out, counted from the start of the connect: ${String(error)}`);
  assert.ok(error instanceof DatabaseUnavailableError && /connect timed out after 500ms/.test(error.message), String(error));
  assert.equal(pool.status().total, 0);
  await pool.end();
  await eventually(async () => (await backendPids(db.name)).length === 0, 5_000, 'the half-set-up connection to be closed');
});

test('a client that connects after connectTimeoutMs is closed, listened to first so its errors cannot crash the process', async () => {
  const created: pg.Client[] = [];
  const real = pgConnect(db.url, created);
  const pool = createPool({
    poolSize: 1,
    connectTimeoutMs: 100,
    poolTimeoutMs: 20_000,
    // Ignores the abort signal: its client arrives anyway, late.
    connect: async () => {
      const client = await real();
      await new Promise((r) => setTimeout(r, 300));
      return client;
    },
  });
  const { error } = await settle(pool.acquire());
  assert.ok(error instanceof DatabaseUnavailableError && /connect timed out/.test(error.message), String(error));
  await eventually(() => created.length === 1 && created[0].listenerCount('error') > 0, 5_000, 'the late client to get an error listener');
  assert.doesNotThrow(() => created[0].emit('error', new Error('read ECONNRESET')));
  await eventually(async () => (await backendPids(db.name)).length === 0, 5_000, 'the late client to be closed');
  await pool.end();
});
