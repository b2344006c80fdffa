import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { createManualClock, createPool, type Pool } from '../../src/pool/index.js';
import { DatabaseUnavailableError } from '../../src/errors.js';
import { ThrowawayCluster } from '../support/cluster.js';
import { captureLogger, eventually, holdIncoming, pgConnect, settle } from './helpers.js';

// Stopping a server: only ever a throwaway cluster of this file's own.
let cluster: ThrowawayCluster;
let pool: Pool;
before(async () => {
  cluster = await ThrowawayCluster.create();
  // poolTimeoutMs far above what the test tolerates: a PoolTimeoutError instead of a fast
  // DatabaseUnavailableError would show as the wrong class, and as the time taken.
  pool = createPool({ connect: pgConnect(cluster.url), poolSize: 3, maxOverflow: 2, poolTimeoutMs: 20_000, connectTimeoutMs: 5_000, logger: captureLogger() });
});
after(async () => {
  await pool.end(1_000);
  await cluster.destroy();
});

async function useAll(on: Pool, n: number): Promise<void> {
  const conns = await Promise.all(Array.from({ length: n }, () => on.acquire()));
  for (const c of conns) assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
  for (const c of conns) c.release();
}

test('after a server restart the pool serves the next requests without an error', async () => {
  await useAll(pool, 3);
  await cluster.restart();
  await useAll(pool, 3);
  await useAll(pool, 5);
});

test('a restart the clients have not noticed yet is caught by the pre-ping, and every checkout recovers', async () => {
  const clock = createManualClock();
  const created: pg.Client[] = [];
  const own = createPool({ connect: pgConnect(cluster.url, created), poolSize: 3, maxOverflow: 0, clock, logger: captureLogger() });
  await useAll(own, 3);
  const resume = holdIncoming([...created]);
  await cluster.restart();
  clock.advance(600); // outside the bypass window: checkouts ping
  resume();
  await useAll(own, 3);
  const m = own.metrics();
  assert.equal(m.prePingFailures, 3, 'each dead connection was found by its pre-ping, not by an error event');
  assert.equal(own.status().invalid, 3);
  assert.equal(m.connectionsCreated, 6);
  await own.end();
});

test('while the server is down concurrent checkouts all fail fast with DatabaseUnavailableError; then it recovers', async () => {
  await useAll(pool, 3);
  const held = await pool.acquire();
  await cluster.stop();

  const { error: lost } = await settle(held.query('SELECT 1'));
  assert.ok(lost instanceof DatabaseUnavailableError, String(lost));
  held.release();
  await eventually(() => pool.status().checkedIn === 0, 5_000, 'idle connections to be evicted');
  // More callers than the pool's 5 connections: each must get its answer from a connect, none may be
  // left to wait for the 20 s poolTimeoutMs.
  const started = Date.now();
  const results = await Promise.all(Array.from({ length: 8 }, () => settle(pool.acquire())));
  const elapsed = Date.now() - started;
  for (const [i, { error }] of results.entries()) assert.ok(error instanceof DatabaseUnavailableError, `checkout ${i}: ${String(error)}`);
  assert.ok(elapsed < 5_000, `answered in ${elapsed} ms, not after poolTimeoutMs`);
  assert.deepEqual({ total: pool.status().total, waiting: pool.status().waiting }, { total: 0, waiting: 0 });

  await cluster.start();
  await useAll(pool, 3);
  assert.equal(pool.status().checkedIn, 3);
});
