import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPool, resolvePoolOptions, POOL_DEFAULTS, type PoolEvent } from '../../src/pool/index.js';
import { ValidationError } from '../../src/errors.js';
import { captureLogger, createManualClock, pgConnect, usePoolDatabase } from './helpers.js';

const db = usePoolDatabase();

test('events: connect, checkout, checkin, invalidate, close, with the pool name and reasons', async () => {
  const clock = createManualClock();
  const logger = captureLogger();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, clock, name: 'app-replica-1', logger });
  const events: PoolEvent[] = [];
  for (const type of ['connect', 'checkout', 'checkin', 'invalidate', 'close'] as const) pool.on(type, (e) => events.push(e));
  pool.on('checkout', () => {
    throw new Error('a broken listener');
  });
  const c = await pool.acquire();
  clock.advance(40);
  c.release();
  const d = await pool.acquire();
  d.invalidate('test');
  await pool.end();

  assert.deepEqual(events.map((e) => e.type), ['connect', 'checkout', 'checkin', 'checkout', 'checkin', 'invalidate', 'close']);
  assert.ok(events.every((e) => e.pool === 'app-replica-1' && e.connectionId === events[0].connectionId));
  assert.equal(events[2].heldMs, 40);
  assert.equal(events[5].reason, 'test');
  assert.equal(events[6].reason, 'test');
  assert.ok(logger.lines.some((l) => l.level === 'error' && /listener threw/.test(l.msg)), 'a throwing listener is logged, not fatal');
});

test('metrics count what happened and report acquire-wait percentiles', async () => {
  const clock = createManualClock();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, maxOverflow: 0, clock });
  const c = await pool.acquire();
  const waiting = pool.acquire();
  await new Promise((r) => setImmediate(r));
  clock.advance(250);
  c.release();
  const d = await waiting;
  d.release();
  const m = pool.metrics();
  assert.deepEqual(
    { created: m.connectionsCreated, closed: m.connectionsClosed, checkouts: m.checkouts, timeouts: m.timeouts },
    { created: 1, closed: 0, checkouts: 2, timeouts: 0 },
  );
  assert.equal(m.acquireWaitP50Ms, 0);
  assert.equal(m.acquireWaitP99Ms, 250);
  await pool.end();
  assert.equal(pool.metrics().connectionsClosed, 1);
});

test('options: the defaults mirror the service design, and bad values are all reported', () => {
  const o = resolvePoolOptions({ connect: async () => ({}) as never });
  assert.deepEqual(
    [o.poolSize, o.maxOverflow, o.poolTimeoutMs, o.recycleMs, o.prePing, o.prePingBypassMs, o.statementTimeoutMs],
    [20, 10, 30_000, 1_800_000, true, 500, 30_000],
  );
  assert.equal(POOL_DEFAULTS.sessionSettings, true);
  assert.throws(
    () => resolvePoolOptions({ connect: async () => ({}) as never, poolSize: -1, poolTimeoutMs: 0, maxOverflow: 1.5 }),
    (e: unknown) => e instanceof ValidationError && e.issues.map((i) => i.path[0]).join() === 'poolSize,maxOverflow,poolTimeoutMs',
  );
});
