import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPool } from '../../src/pool/index.js';
import { DatabaseUnavailableError, QueryTimeoutError } from '../../src/errors.js';
import type { TestDatabase } from '../support/database.js';
import { TcpFaultProxy } from '../support/tcp-proxy.js';
import { pgConnect, poolDatabase, settle } from './helpers.js';

let db: TestDatabase;
let proxy: TcpFaultProxy;
before(async () => {
  db = await poolDatabase();
  const u = new URL(db.url);
  proxy = await TcpFaultProxy.start({ host: u.hostname, port: Number(u.port || 5432) });
});
after(async () => {
  await proxy.close();
  await db.drop();
});

function faultPool() {
  return createPool({
    connect: pgConnect(proxy.urlFor(db.url)),
    poolSize: 2,
    prePingBypassMs: 0,
    pingTimeoutMs: 300,
    connectTimeoutMs: 500,
    poolTimeoutMs: 5_000,
  });
}

test('a blackholed idle connection is detected by the bounded pre-ping and evicted', async () => {
  proxy.heal();
  const pool = faultPool();
  const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
  a.release();
  b.release();
  proxy.blackhole();
  // The ping times out, the idle sibling is marked stale, the new connect is blackholed too and times out.
  const { error } = await settle(pool.acquire());
  assert.ok(error instanceof DatabaseUnavailableError, String(error));
  assert.equal(pool.metrics().prePingFailures, 1);
  assert.equal(pool.status().checkedIn, 0, 'both blackholed connections are gone');
  assert.equal(pool.status().invalid, 2);

  proxy.heal();
  const c = await pool.acquire();
  assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
  c.release();
  await pool.end();
});

test('a blackholed lent connection times out with QueryTimeoutError and is evicted', async () => {
  proxy.heal();
  const pool = faultPool();
  const c = await pool.acquire();
  proxy.blackhole();
  const { error } = await settle(c.query('SELECT 1', [], { timeoutMs: 300 }));
  assert.ok(error instanceof QueryTimeoutError, String(error));
  c.release();
  assert.equal(pool.status().total, 0);
  assert.equal(pool.status().invalid, 1);
  proxy.heal();
  await pool.end();
});

test('connections cut by the network are replaced on the next checkouts', async () => {
  proxy.heal();
  const pool = faultPool();
  const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
  a.release();
  b.release();
  proxy.cut();
  const conns = await Promise.all([pool.acquire(), pool.acquire()]);
  for (const c of conns) assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
  for (const c of conns) c.release();
  assert.equal(pool.status().invalid, 2);
  await pool.end();
});
