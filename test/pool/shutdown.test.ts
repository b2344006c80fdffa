import { test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { createPool, type PgClientLike } from '../../src/pool/index.js';
import { DatabaseUnavailableError, SqlwrightError } from '../../src/errors.js';
import { backendPids, countingClock, eventually, pgConnect, socketOf, usePoolDatabase, settle } from './helpers.js';

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

test('end() aborts a connect in progress and resolves once its client is closed, with no timer of the pool left', async () => {
  const created: pg.Client[] = [];
  const real = pgConnect(db.url, created);
  const clock = countingClock();
  const pool = createPool({
    poolSize: 1,
    clock,
    // Connected, then the rest of a slow handshake; the factory returns its client even when aborted (the
    // abort destroyed its socket). Until it returns the client is the factory's, so it listens for errors.
    connect: async (signal) => {
      const client = await real(signal);
      const ignore = () => undefined;
      client.on('error', ignore);
      await new Promise((resolve) => setTimeout(resolve, 300));
      client.off('error', ignore);
      return client;
    },
  });
  const checkout = settle(pool.acquire());
  await eventually(async () => (await backendPids(db.name)).length === 1, 5_000, 'the backend of the connect');
  await pool.end(50);
  assert.ok(isClosed((await checkout).error));
  assert.equal(pool.status().total, 0, 'nothing open or opening');
  assert.equal(socketOf(created[0]).destroyed, true, 'the connect was aborted and its client closed');
  assert.equal(clock.pending, 0, 'no timer of the pool left');
  await eventually(async () => (await backendPids(db.name)).length === 0, 5_000, 'the backend to go');
});

test('end() closes a connection whose session SET is still running', async () => {
  const created: pg.Client[] = [];
  const real = pgConnect(db.url, created);
  let setSent = false;
  const pool = createPool({
    poolSize: 1,
    connect: async (signal) => {
      const client = await real(signal);
      const wrapped: PgClientLike = {
        // The session SET's answer is slow to come (as over a slow network); closing the client fails it, as pg does.
        query: (config) => {
          if (!/^SET statement_timeout/.test(config.text)) return client.query(config);
          setSent = true;
          return new Promise((_, reject) => client.once('end', () => reject(new Error('Connection terminated'))));
        },
        end: () => client.end(),
        on: ((event: 'error', listener: (e: Error) => void) => client.on(event, listener)) as PgClientLike['on'],
        getTransactionStatus: () => client.getTransactionStatus(),
      };
      return wrapped;
    },
  });
  const checkout = settle(pool.acquire());
  await eventually(() => setSent, 5_000, 'the session SET');
  const started = Date.now();
  await pool.end(50);
  assert.ok(isClosed((await checkout).error));
  assert.equal(pool.status().total, 0, 'nothing open or opening');
  assert.equal(socketOf(created[0]).destroyed, true, 'the half-set-up connection was closed');
  assert.ok(Date.now() - started < 5_000, 'not after the SET or connectTimeoutMs');
  await eventually(async () => (await backendPids(db.name)).length === 0, 5_000, 'the backend to go');
});
