import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPool, type Pool } from '../../src/pool/index.js';
import { DatabaseUnavailableError } from '../../src/errors.js';
import { ThrowawayCluster } from '../support/cluster.js';
import { captureLogger, eventually, pgConnect, settle } from './helpers.js';

// Stopping a server: only ever a throwaway cluster of this file's own.
let cluster: ThrowawayCluster;
let pool: Pool;
before(async () => {
  cluster = await ThrowawayCluster.create();
  // poolTimeoutMs far above what the test tolerates: a PoolTimeoutError instead of a fast
  // DatabaseUnavailableError would show as the wrong class.
  pool = createPool({ connect: pgConnect(cluster.url), poolSize: 3, poolTimeoutMs: 20_000, connectTimeoutMs: 5_000, logger: captureLogger() });
});
after(async () => {
  await pool.end(1_000);
  await cluster.destroy();
});

async function useAll(n: number): Promise<void> {
  const conns = await Promise.all(Array.from({ length: n }, () => pool.acquire()));
  for (const c of conns) assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
  for (const c of conns) c.release();
}

test('after a server restart the pool serves the next requests without an error', async () => {
  await useAll(3);
  await cluster.restart();
  await useAll(3);
  await useAll(5);
});

test('while the server is down checkouts fail fast with DatabaseUnavailableError; then it recovers', async () => {
  await useAll(3);
  const held = await pool.acquire();
  await cluster.stop();

  const { error: lost } = await settle(held.query('SELECT 1'));
  assert.ok(lost instanceof DatabaseUnavailableError, String(lost));
  held.release();
  await eventually(() => pool.status().checkedIn === 0, 5_000, 'idle connections to be evicted');
  for (let i = 0; i < 3; i++) {
    const { error } = await settle(pool.acquire());
    assert.ok(error instanceof DatabaseUnavailableError, `checkout ${i}: ${String(error)}`);
  }
  assert.equal(pool.status().total, 0);

  await cluster.start();
  await useAll(3);
  assert.equal(pool.status().checkedIn, 3);
});
