import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type Database } from '../../../src/database.js';
import { NestedTransactionError, ReadOnlyError, SerializationError, TransactionAbortedError } from '../../../src/errors.js';
import type { DatabaseFileConfig } from '../../../src/config/schema.js';
import { captureLogger, testDatabaseConfig } from '../runtime.js';

/** Where the suite runs: a migrated database URL (direct or through PgBouncer) and config overrides. */
export interface TransactionTarget {
  setUp(): Promise<{ url: string; config?: DatabaseFileConfig }>;
  tearDown(): Promise<void>;
}

/** The transaction scope suite, run directly and through PgBouncer by its entry files. */
export function transactionSuite(name: string, target: TransactionTarget): void {
  describe(name, () => {
    let db: Database;
    const logger = captureLogger();

    before(async () => {
      const { url, config } = await target.setUp();
      db = openDatabase(testDatabaseConfig(url, { pool_size: 4, ...config }), { logger });
    });
    after(async () => {
      await db.close();
      await target.tearDown();
    });

    const countUsers = async (lastName: string) =>
      (await db.executor.query<{ n: number }>('SELECT count(*)::int AS n FROM app.users WHERE last_name = $1', [lastName])).rows[0].n;
    const insertUser = (ex: { query: Database['executor']['query'] }, lastName: string) =>
      ex.query(`INSERT INTO app.users (first_name, last_name) VALUES ('T', $1)`, [lastName]);

    it('commits on success', async () => {
      const result = await db.transaction(async (ex) => {
        await insertUser(ex, 'committed');
        return 'done';
      });
      assert.equal(result, 'done');
      assert.equal(await countUsers('committed'), 1);
    });

    it('a throw inside the transaction leaves no row written, rethrows, and logs the failure', async () => {
      const boom = new Error('boom after two writes');
      await assert.rejects(
        db.transaction(async (ex) => {
          await insertUser(ex, 'rolled-back');
          await insertUser(ex, 'rolled-back');
          throw boom;
        }),
        (e) => e === boom,
      );
      assert.equal(await countUsers('rolled-back'), 0);
      const line = logger.lines.find((l) => l.msg === 'Database transaction failed');
      assert.ok(line);
      assert.equal(line.obj.error_type, 'Error');
      assert.equal(line.obj.error_message, 'boom after two writes');
      assert.equal(db.poolStatus().checkedOut, 0, 'the connection went back');
    });

    it('a statement error caught inside the callback fails the commit: TransactionAbortedError, nothing saved, logged', async () => {
      const error = await db
        .transaction(async (ex) => {
          await insertUser(ex, 'swallowed');
          await ex.query('SELECT 1/0').catch(() => undefined); // caught: PostgreSQL has aborted the transaction
          return 'looks fine';
        })
        .catch((e) => e);
      assert.ok(error instanceof TransactionAbortedError, String(error));
      assert.equal(error.sqlState, '25P02');
      assert.equal(await countUsers('swallowed'), 0);
      const line = logger.lines.find((l) => l.msg === 'Database transaction failed' && l.obj.error_type === 'TransactionAbortedError');
      assert.ok(line, 'the failure is logged');
      assert.equal(db.poolStatus().checkedOut, 0);
    });

    it('nested scopes that contradict the open transaction throw before running; a read-write one inside readOnly joins', async () => {
      let ran = false;
      const nested = (run: () => Promise<unknown>) => db.transaction(async (ex) => {
        await insertUser(ex, 'nest-outer');
        return run().catch((e) => e);
      }, { isolation: 'repeatable read' });
      const readOnlyInside = await nested(() => db.readOnly(async (_r, tx) => {
        ran = true;
        await insertUser(tx, 'nest-ro-write');
      }));
      assert.ok(readOnlyInside instanceof NestedTransactionError, String(readOnlyInside));
      const otherIsolation = await nested(() => db.transaction(async () => { ran = true; }, { isolation: 'serializable' }));
      assert.ok(otherIsolation instanceof NestedTransactionError, String(otherIsolation));
      assert.equal(ran, false, 'the conflicting work never ran');
      assert.equal(await countUsers('nest-ro-write'), 0);
      assert.equal(await countUsers('nest-outer'), 2, 'the outer transactions still committed');

      // same isolation joins; `retry` of a nested call is ignored (only the outermost transaction can run again)
      let attempts = 0;
      const retried = await nested(() => db.transaction(async () => {
        attempts++;
        throw new SerializationError('nested conflict');
      }, { isolation: 'repeatable read', retry: { attempts: 3, baseDelayMs: 1 } }));
      assert.ok(retried instanceof SerializationError);
      assert.equal(attempts, 1);

      const joined = await db.readOnly(() => db.transaction((ex) => insertUser(ex, 'nest-rw-in-ro'))).catch((e) => e);
      assert.ok(joined instanceof ReadOnlyError, String(joined));
      assert.equal(await countUsers('nest-rw-in-ro'), 0);
    });

    it('a value PostgreSQL quotes at the end of an error message is masked in the failure log; identifiers stay', async () => {
      await assert.rejects(db.transaction((ex) => ex.query('SELECT $1::uuid', ['SUPERSECRET-TOKEN-123'])));
      await assert.rejects(db.transaction((ex) => ex.query('SELECT * FROM app.no_such_table')));
      const failures = logger.lines.filter((l) => l.msg === 'Database transaction failed').map((l) => String(l.obj.error_message));
      assert.ok(failures.includes('invalid input syntax for type uuid: "***"'), failures.join('\n'));
      assert.ok(failures.includes('relation "app.no_such_table" does not exist'), failures.join('\n'));
      assert.doesNotMatch(logger.text(), /SUPERSECRET/);
    });

    it('a savepoint whose ROLLBACK TO fails still rethrows the caller\'s error, and logs the rollback failure', async () => {
      const boom = new Error('the caller\'s error');
      await db.transaction(async (_ex, tx) => {
        await assert.rejects(
          tx.savepoint(async () => {
            await tx.query('COMMIT'); // ends the transaction, so ROLLBACK TO SAVEPOINT fails (25P01)
            throw boom;
          }),
          (e) => e === boom,
        );
      });
      const line = logger.lines.find((l) => l.msg === 'rollback to savepoint failed');
      assert.ok(line, 'the rollback failure is logged');
      assert.equal(db.poolStatus().checkedOut, 0);
    });

    it('a caller\'s own BEGIN ... ROLLBACK inside db.session rolls back (not swallowed by per-statement transactions)', async () => {
      await db.session(async (_r, s) => {
        await s.query('BEGIN');
        await insertUser(s, 'session-rolled-back');
        await s.query('ROLLBACK');
        await s.query('START TRANSACTION');
        await insertUser(s, 'session-committed');
        await s.query('COMMIT');
      });
      assert.equal(await countUsers('session-rolled-back'), 0);
      assert.equal(await countUsers('session-committed'), 1);
    });

    it('a nested transaction is a savepoint: its failure rolls back only the inner part', async () => {
      await db.transaction(async (ex) => {
        await insertUser(ex, 'outer');
        await assert.rejects(
          db.transaction(async (inner) => {
            await insertUser(inner, 'inner');
            throw new Error('inner fails');
          }),
          /inner fails/,
        );
        // the outer transaction is still usable after the inner rollback
        await insertUser(ex, 'outer');
      });
      assert.equal(await countUsers('outer'), 2);
      assert.equal(await countUsers('inner'), 0);
    });

    it('statements of db.executor inside a transaction join it', async () => {
      await assert.rejects(
        db.transaction(async () => {
          await insertUser(db.executor, 'joined');
          throw new Error('undo');
        }),
      );
      assert.equal(await countUsers('joined'), 0);
    });

    it('read-only transactions reject writes with a typed error', async () => {
      await assert.rejects(db.readOnly((ex) => insertUser(ex, 'ro')), { name: 'ReadOnlyError' });
      assert.equal(await db.readOnly(async () => countUsers('committed')), 1);
    });

    async function conflictingSerializableWrites(retry: boolean): Promise<{ attempts: number }> {
      // Two serializable transactions each read the set and write into it: one must fail with 40001.
      let attempts = 0;
      let arrived = 0;
      let release!: () => void;
      const bothRead = new Promise<void>((r) => (release = r));
      const work = (label: string) =>
        db.transaction(
          async (ex) => {
            attempts++;
            await ex.query(`SELECT count(*) FROM app.users WHERE last_name = 'serial'`);
            if (++arrived === 2) release();
            await Promise.race([bothRead, new Promise((r) => setTimeout(r, 2000))]);
            await insertUser(ex, 'serial');
            return label;
          },
          { isolation: 'serializable', retry: retry ? { attempts: 5, baseDelayMs: 5 } : false },
        );
      // wait for both, so the loser's failure is reported only after the winner committed
      const results = await Promise.allSettled([work('a'), work('b')]);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      return { attempts };
    }

    it('a serialization failure surfaces as SerializationError without retry', async () => {
      await assert.rejects(conflictingSerializableWrites(false), (e) => e instanceof SerializationError && (e.cause as any)?.code === '40001');
    });

    it('a serialization failure is retried and succeeds', async () => {
      const before = await countUsers('serial');
      const { attempts } = await conflictingSerializableWrites(true);
      assert.ok(attempts >= 3, `one transaction ran again (attempts ${attempts})`);
      assert.equal(await countUsers('serial'), before + 2);
      assert.ok(logger.lines.some((l) => l.msg === 'transaction serialization failure, retrying'));
    });

    it('session holds one connection for its statements and gives it back', async () => {
      // (behind PgBouncer the server connection may change between statements; the client connection does not)
      const seen = await db.session(async (_repos, s) => {
        const counts: number[] = [];
        for (let i = 0; i < 3; i++) {
          await s.query('SELECT 1');
          counts.push(db.poolStatus().checkedOut);
        }
        return counts;
      });
      assert.deepEqual(seen, [1, 1, 1]);
      assert.equal(db.poolStatus().checkedOut, 0);
    });
  });
}
