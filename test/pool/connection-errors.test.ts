import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPool, type PgClientLike, type PoolEvent } from '../../src/pool/index.js';
import { DatabaseUnavailableError, SqlwrightError } from '../../src/errors.js';
import { captureLogger, createManualClock, eventually, pgConnect, pidOf, usePoolDatabase, settle, terminateBackends } from './helpers.js';

const db = usePoolDatabase();

test("an idle client's error evicts it and never crashes the process", async () => {
  const logger = captureLogger();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 2, logger });
  const invalidated: PoolEvent[] = [];
  pool.on('invalidate', (e) => invalidated.push(e));
  const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
  const pid = await pidOf(a);
  a.release();
  b.release();
  await terminateBackends(db.name, [pid]);
  await eventually(() => pool.status().checkedIn === 1, 5_000, 'the idle connection to be evicted');
  assert.equal(invalidated.length, 1);
  assert.equal(invalidated[0].reason, 'broken');
  assert.ok(logger.lines.some((l) => l.level === 'warn' && /idle connection lost/.test(l.msg)));
  const c = await pool.acquire();
  assert.notEqual(await pidOf(c), pid);
  c.release();
  await pool.end();
});

test('a lent connection that breaks throws DatabaseUnavailableError and is evicted on release', async () => {
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1 });
  const c = await pool.acquire();
  await terminateBackends(db.name, [await pidOf(c)]);
  const { error } = await settle(c.query('SELECT 1'));
  assert.ok(error instanceof DatabaseUnavailableError, String(error));
  assert.ok(error.cause !== undefined, 'the original error is the cause');
  c.release();
  assert.equal(pool.status().total, 0);
  assert.equal(pool.status().invalid, 1);
  const next = await pool.acquire();
  assert.equal((await next.query('SELECT 1 AS one')).rows[0].one, 1);
  next.release();
  await pool.end();
});

test('statement errors are rethrown raw and leave the connection in the pool', async () => {
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, clock: createManualClock() });
  const c = await pool.acquire();
  await c.query('CREATE TEMP TABLE u (id int PRIMARY KEY)');
  await c.query('INSERT INTO u VALUES (1)');
  const { error } = await settle(c.query('INSERT INTO u VALUES ($1)', [1]));
  assert.equal((error as { code?: string }).code, '23505');
  assert.ok(!(error instanceof SqlwrightError), 'the runtime translates it, not the pool');
  c.release();
  const again = await pool.acquire();
  assert.equal(again.raw, c.raw);
  again.release();
  assert.equal(pool.status().invalid, 0);
  await pool.end();
});

test('an open or failed transaction is rolled back before the connection is reused', async () => {
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, clock: createManualClock() });
  const setup = await pool.acquire();
  await setup.query('CREATE TABLE t (id int)');
  setup.release();

  const open = await pool.acquire();
  await open.query('BEGIN');
  await open.query('INSERT INTO t VALUES (1)');
  open.release();
  await eventually(() => pool.status().checkedIn === 1, 2_000, 'the reset');
  const next = await pool.acquire();
  assert.equal(next.raw, open.raw);
  assert.equal(next.raw.getTransactionStatus?.(), 'I');
  assert.equal((await next.query('SELECT count(*)::int AS n FROM t')).rows[0].n, 0, 'the insert was rolled back');

  await next.query('BEGIN');
  await settle(next.query('SELECT 1/0'));
  // pg rejects on the ErrorResponse; the status comes with the ReadyForQuery after it, maybe in a later packet.
  await eventually(() => next.raw.getTransactionStatus?.() === 'E', 2_000, 'the failed-transaction status');
  next.release();
  await eventually(() => pool.status().checkedIn === 1, 2_000, 'the reset');
  const after = await pool.acquire();
  assert.equal((await after.query('SELECT 1 AS one')).rows[0].one, 1, 'no 25P02 "current transaction is aborted"');
  after.release();
  assert.equal(pool.status().invalid, 0);
  await pool.end();
});

test('a connection whose reset fails is discarded', async () => {
  const real = pgConnect(db.url);
  const pool = createPool({
    poolSize: 1,
    clock: createManualClock(),
    connect: async () => {
      const client = await real();
      const wrapped: PgClientLike = {
        query: (config) => (config.text === 'ROLLBACK' ? Promise.reject(Object.assign(new Error('boom'), { code: 'XX000' })) : client.query(config)),
        end: () => client.end(),
        on: ((event: 'error', l: (e: Error) => void) => client.on(event, l)) as PgClientLike['on'],
        getTransactionStatus: () => client.getTransactionStatus(),
      };
      return wrapped;
    },
  });
  const reasons: string[] = [];
  pool.on('invalidate', (e) => reasons.push(e.reason!));
  const c = await pool.acquire();
  await c.query('BEGIN');
  c.release();
  await eventually(() => pool.status().total === 0, 2_000, 'the discard');
  assert.deepEqual(reasons, ['reset failed']);
  await pool.end();
});

test('a connection released with its query still running is destroyed, not reused', async () => {
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, clock: createManualClock() });
  const c = await pool.acquire();
  const running = settle(c.query('SELECT pg_sleep(0.2)'));
  c.release();
  assert.equal(pool.status().total, 0);
  assert.equal(pool.status().invalid, 1);
  await running;
  await pool.end();
});
