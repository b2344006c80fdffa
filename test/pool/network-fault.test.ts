import { after, before, test } from 'node:test';
import { createServer, type AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { createDialect } from '../../src/dialect/create.js';
import { createPool } from '../../src/pool/index.js';
import { DatabaseUnavailableError, QueryTimeoutError, SqlwrightError } from '../../src/errors.js';
import type { TestDatabase } from '../support/database.js';
import { testDatabaseConfig } from '../support/runtime.js';
import { TcpFaultProxy } from '../support/tcp-proxy.js';
import { eventually, pgConnect, poolDatabase, settle } from './helpers.js';

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
  // One after the other, so `a` is the older: the ping of `b` (last in, first out) failing marks `a` stale.
  const a = await pool.acquire();
  const b = await pool.acquire();
  a.release();
  b.release();
  proxy.blackhole();
  // The ping times out, the older idle sibling is marked stale, the new connect is blackholed too and times out.
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

test('connects that time out with nothing open fail every waiter fast with DatabaseUnavailableError, one connect each', async () => {
  proxy.blackhole();
  let attempts = 0;
  const connect = pgConnect(proxy.urlFor(db.url));
  const pool = createPool({ connect: (signal) => (attempts++, connect(signal)), poolSize: 2, maxOverflow: 0, connectTimeoutMs: 300, poolTimeoutMs: 20_000 });
  const started = Date.now();
  const results = await Promise.all(Array.from({ length: 4 }, () => settle(pool.acquire())));
  const elapsed = Date.now() - started;
  for (const [i, { error }] of results.entries()) {
    assert.ok(error instanceof DatabaseUnavailableError && /connect timed out/.test(error.message), `checkout ${i}: ${String(error)}`);
  }
  assert.ok(elapsed < 5_000, `answered in ${elapsed} ms, not after poolTimeoutMs`);
  assert.equal(attempts, 4, 'one connect per waiter');
  proxy.heal();
  await pool.end();
});

test('the production connect factory destroys the socket of a connect the pool gave up on, sending nothing more into it', async () => {
  // Accepts and reads, never answers: a hung PgBouncer or load balancer. Keeps what each connection sent.
  const sent: Buffer[] = [];
  const hung = createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => sent.push(Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  const { port } = hung.address() as AddressInfo;
  // pool_timeout 0.3 s: the dialect's connectTimeoutMs is 300 ms.
  const dialect = createDialect(testDatabaseConfig(`postgresql://postgres@127.0.0.1:${port}/hung`, { pool_timeout: 0.3 }));
  try {
    const started = Date.now();
    const { error } = await settle(dialect.acquire());
    assert.ok(error instanceof DatabaseUnavailableError && /connect timed out/.test(error.message), String(error));
    assert.ok(Date.now() - started < 5_000, 'answered at connectTimeoutMs');
    await eventually(() => sent.length === 1, 2_000, 'the socket to be closed');
    // Its first message (SSLRequest or StartupMessage) starts with its own length. A polite end() would have
    // followed it with a Terminate ('X'), which a peer that never reads would leave the socket waiting on.
    assert.equal(sent[0].length, sent[0].readInt32BE(0), 'the socket was destroyed, not ended politely');
  } finally {
    await dialect.close(1_000);
    await new Promise((resolve) => hung.close(resolve));
  }
});

test('end() fails a checkout whose pre-ping hangs at once, with pool_closed', async () => {
  proxy.heal();
  const pool = createPool({ connect: pgConnect(proxy.urlFor(db.url)), poolSize: 1, prePingBypassMs: 0, pingTimeoutMs: 10_000, poolTimeoutMs: 20_000 });
  (await pool.acquire()).release();
  proxy.blackhole();
  const pinged = pool.metrics().prePings;
  const started = Date.now();
  const checkout = settle(pool.acquire());
  await eventually(() => pool.metrics().prePings > pinged, 2_000, 'the pre-ping');
  await pool.end(100);
  const { error } = await checkout;
  assert.ok(error instanceof SqlwrightError && error.code === 'pool_closed', String(error));
  assert.ok(Date.now() - started < 5_000, 'not after pingTimeoutMs or poolTimeoutMs');
  assert.equal(pool.status().total, 0);
  proxy.heal();
});
