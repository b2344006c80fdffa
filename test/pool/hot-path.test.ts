// The hot path's cheaper machinery: deadlines on one shared lazy timer (query guards, leak watches), the
// synchronous fast checkout, and pg.Client's (text, values) call form. No timing assertions: time is a
// manual clock, and an in-memory client stands in where the test needs a query that never answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { createPool, createManualClock, type PgClientLike, type PgResultLike } from '../../src/pool/index.js';
import { Deadline, DeadlineList } from '../../src/pool/deadlines.js';
import { isPlainPgClient } from '../../src/pool/entry.js';
import { QueryTimeoutError } from '../../src/errors.js';
import { pgConnect, usePoolDatabase, settle } from './helpers.js';

class Item extends Deadline {
  constructor(readonly log: string[], readonly name: string, readonly onExpire?: () => void) {
    super();
  }
  expire(): void {
    this.log.push(this.name);
    this.onExpire?.();
  }
}

test('deadlines: each item expires exactly at its deadline, in deadline order, on one shared timer', () => {
  const clock = createManualClock(0);
  const list = new DeadlineList(clock);
  const log: string[] = [];
  list.add(new Item(log, 'b'), 200);
  list.add(new Item(log, 'a'), 100);
  list.add(new Item(log, 'c'), 200);
  assert.equal(clock.pendingTimers, 1, 'one timer, not one per item');
  clock.advance(99);
  assert.deepEqual(log, []);
  clock.advance(1);
  assert.deepEqual(log, ['a'], 'an earlier deadline moved the timer earlier');
  clock.advance(99);
  assert.deepEqual(log, ['a']);
  clock.advance(1);
  assert.deepEqual(log, ['a', 'b', 'c'], 'same deadline: in order of arrival');
  assert.equal(list.size, 0);
  assert.equal(clock.pendingTimers, 0, 'nothing left: the timer is not set again');
});

test('deadlines: a removed item never expires, remove() reports a lost race, and the timer stays lazy', () => {
  const clock = createManualClock(0);
  const list = new DeadlineList(clock);
  const log: string[] = [];
  const early = new Item(log, 'early');
  const late = new Item(log, 'late');
  list.add(early, 100);
  list.add(late, 300);
  assert.equal(list.remove(early), true);
  assert.equal(list.remove(early), false, 'already removed');
  assert.equal(clock.pendingTimers, 1, 'removing does not touch the timer');
  clock.advance(100);
  assert.deepEqual(log, [], 'the stale timer found nothing due');
  assert.equal(list.armed, true, 'and was set again for the remaining item');
  clock.advance(200);
  assert.deepEqual(log, ['late']);
  assert.equal(list.remove(late), false, 'expired: the caller lost the race against the timer');

  // Items reused after removal, and an expiry that adds an item.
  list.add(early, clock.now() + 50);
  const chained = new Item(log, 'chained');
  list.add(new Item(log, 'adder', () => list.add(chained, clock.now() + 10)), clock.now() + 20);
  clock.advance(20);
  assert.deepEqual(log, ['late', 'adder']);
  clock.advance(10);
  assert.deepEqual(log, ['late', 'adder', 'chained']);
  clock.advance(20);
  assert.deepEqual(log, ['late', 'adder', 'chained', 'early']);

  list.add(new Item(log, 'dropped'), clock.now() + 1_000);
  list.disarmIfEmpty();
  assert.equal(list.armed, true, 'not while an item is left');
});

test('deadlines: disarmIfEmpty clears a stale timer once no item is left', () => {
  const clock = createManualClock(0);
  const list = new DeadlineList(clock);
  const item = new Item([], 'x');
  list.add(item, 1_000);
  list.remove(item);
  assert.equal(clock.pendingTimers, 1);
  list.disarmIfEmpty();
  assert.equal(clock.pendingTimers, 0);
  assert.equal(list.armed, false);
});

/** An in-memory client whose queries answer at once, except those whose text is 'HANG'. */
class FakeClient extends EventEmitter implements PgClientLike {
  readonly calls: unknown[][] = [];
  ended = false;
  query(...args: unknown[]): Promise<PgResultLike> {
    this.calls.push(args);
    const config = args[0] as { text: string };
    if (config.text === 'HANG') return new Promise(() => undefined);
    return Promise.resolve({ rows: [{ text: config.text }], rowCount: 1 });
  }
  async end(): Promise<void> {
    this.ended = true;
  }
  getTransactionStatus(): string {
    return 'I';
  }
}

test('query guards of different lengths on different connections each fire at their own deadline', async () => {
  const clock = createManualClock();
  const clients: FakeClient[] = [];
  const pool = createPool({
    poolSize: 2, maxOverflow: 0, clock, statementTimeoutMs: 1_000, queryTimeoutGraceMs: 0, sessionSettings: false,
    connect: async () => {
      const c = new FakeClient();
      clients.push(c);
      return c;
    },
  });
  const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
  const slow = settle(a.query('HANG')); // the default guard: 1 000 ms
  clock.advance(100);
  const fast = settle(b.query('HANG', undefined, { timeoutMs: 300 })); // due at 400, before the armed 1 000
  clock.advance(299);
  assert.equal(clients[1].ended, false);
  clock.advance(1);
  const { error: fastError } = await fast;
  assert.ok(fastError instanceof QueryTimeoutError && fastError.timeoutMs === 300, String(fastError));
  assert.equal(clients[1].ended, true, 'the connection behind a timed-out query is destroyed');
  assert.equal(clients[0].ended, false);
  clock.advance(599);
  assert.equal(clients[0].ended, false, 'the other guard has not fired early');
  clock.advance(1);
  const { error: slowError } = await slow;
  assert.ok(slowError instanceof QueryTimeoutError && slowError.timeoutMs === 1_000, String(slowError));
  a.release();
  b.release();
  assert.equal(pool.status().invalid, 2);
  await pool.end();
  assert.equal(clock.pendingTimers, 0, 'an ended pool leaves no timer behind');
});

test('a query that answers in time cancels its guard; the connection is reused', async () => {
  const clock = createManualClock();
  const client = new FakeClient();
  const pool = createPool({ poolSize: 1, clock, statementTimeoutMs: 1_000, sessionSettings: false, connect: async () => client });
  for (let i = 0; i < 3; i++) {
    const c = await pool.acquire();
    assert.deepEqual((await c.query('SELECT 1')).rows, [{ text: 'SELECT 1' }]);
    c.release();
    clock.advance(10_000); // far past every guard
  }
  assert.equal(client.ended, false);
  assert.equal(pool.status().invalid, 0);
  assert.equal(pool.metrics().checkouts, 3);
  await pool.end();
});

test('a client that is not a pg.Client gets the config object of PgClientLike', async () => {
  const client = new FakeClient();
  const pool = createPool({ poolSize: 1, clock: createManualClock(), sessionSettings: false, connect: async () => client });
  const c = await pool.acquire();
  await c.query('SELECT $1::int', [1]);
  await c.query('SELECT 2', undefined, { name: 'two' });
  await c.query('SELECT 3');
  c.release();
  assert.deepEqual(client.calls, [
    [{ text: 'SELECT $1::int', values: [1] }],
    [{ text: 'SELECT 2', name: 'two' }],
    [{ text: 'SELECT 3' }],
  ]);
  await pool.end();
});

const db = usePoolDatabase();

test('pg.Client is recognised only with pg\'s own query()', () => {
  assert.equal(isPlainPgClient(new pg.Client() as PgClientLike), true);
  class Wrapped extends pg.Client {}
  (Wrapped.prototype as unknown as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    return (pg.Client.prototype.query as (...a: unknown[]) => unknown).apply(this, args);
  };
  assert.equal(isPlainPgClient(new Wrapped() as PgClientLike), false, 'a subclass with its own query()');
  const patched = new pg.Client();
  patched.query = ((...args: unknown[]) => (pg.Client.prototype.query as (...a: unknown[]) => unknown).apply(patched, args)) as never;
  assert.equal(isPlainPgClient(patched as PgClientLike), false, 'a query() patched on the instance');
  assert.equal(isPlainPgClient(new FakeClient()), false);
});

test('through a pg.Client: values, prepared statements and plain text all answer as before', async () => {
  const pool = createPool({ connect: pgConnect(db.url), poolSize: 1 });
  const c = await pool.acquire();
  assert.equal((await c.query('SELECT $1::int + 1 AS n', [41])).rows[0].n, 42);
  assert.equal((await c.query('SELECT 1 AS one', [])).rows[0].one, 1, 'an empty values array');
  assert.equal((await c.query('SELECT $1::int * 2 AS n', [21], { name: 'double' })).rows[0].n, 42);
  assert.equal((await c.query('SELECT $1::int * 2 AS n', [5], { name: 'double' })).rows[0].n, 10, 'the named plan is reused');
  assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
  const { error } = await settle(c.query('SELECT $1::int', ['not a number']));
  assert.equal((error as { code?: string }).code, '22P02', 'server errors are rethrown raw');
  c.release();
  await pool.end();
});
