import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPool } from '../../src/pool/index.js';
import { SqlwrightError } from '../../src/errors.js';
import { captureLogger, createManualClock, pgConnect, usePoolDatabase, settle } from './helpers.js';

const db = usePoolDatabase();

test('a connection held past leakDetectionMs logs a warning with the acquiring stack, then "returned"', async () => {
  const clock = createManualClock();
  const logger = captureLogger();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, leakDetectionMs: 1_000, clock, logger, name: 'leaky' });
  const c = await pool.acquire();
  clock.advance(999);
  assert.equal(logger.lines.length, 0);
  clock.advance(1);
  assert.equal(logger.lines.length, 1);
  const [warn] = logger.lines;
  assert.equal(warn.level, 'warn');
  assert.match(warn.msg, /possible leak/);
  assert.equal(warn.obj.pool, 'leaky');
  assert.match(String(warn.obj.stack), /leak\.test\.ts/, 'the stack points at the code that acquired');
  c.release();
  assert.equal(logger.lines.length, 2);
  assert.equal(logger.lines[1].level, 'warn', 'at the level of the warning it answers');
  assert.match(logger.lines[1].msg, /returned/);
  await pool.end();
});

test('a connection returned in time logs nothing', async () => {
  const clock = createManualClock();
  const logger = captureLogger();
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, leakDetectionMs: 1_000, clock, logger });
  (await pool.acquire()).release();
  clock.advance(5_000);
  assert.deepEqual(logger.lines, []);
  await pool.end();
});

test('releasing twice throws, and a released handle cannot query', async () => {
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1, clock: createManualClock() });
  const c = await pool.acquire();
  c.release();
  assert.throws(() => c.release(), (e: unknown) => e instanceof SqlwrightError && e.code === 'double_release');
  assert.throws(() => c.invalidate(), (e: unknown) => e instanceof SqlwrightError && e.code === 'double_release');
  const { error } = await settle(c.query('SELECT 1'));
  assert.ok(error instanceof SqlwrightError && error.code === 'connection_released');
  // The stale handle did not disturb the connection's next checkout.
  const again = await pool.acquire();
  assert.equal(again.raw, c.raw);
  assert.equal((await again.query('SELECT 1 AS one')).rows[0].one, 1);
  again.release();
  await pool.end();
});
