import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import type { Task, User } from '../../generated/index.js';
import type { DialectName } from '../../src/executor.js';
import { CheckViolationError, ConflictError, ForeignKeyError, NotFoundError, UnsupportedOnDialectError, ValidationError } from '../../src/errors.js';
import { runNamedQuery, t, Table, validate, type ColumnDescriptor } from '../../src/repository-runtime.js';
import { nextMillisecond, openContractDatabase, type ContractDatabase } from './harness.js';

/**
 * Every repository method of users, user_identities and tasks, through openDatabase and the real runtime, on
 * one dialect. postgres.test.ts and sqlite.test.ts run it; both must pass unchanged, so a difference between
 * the dialects shows up as a failure here (the few documented ones are spelled out with `pg ? … : …`).
 */
export function repositorySuite(dialect: DialectName, open: () => Promise<ContractDatabase> = () => openContractDatabase(dialect)): void {
  const pg = dialect === 'postgres';
  let h: ContractDatabase;

  /** Asserts the call fails with a ValidationError and sends no SQL. */
  async function rejectsBeforeSql(call: () => Promise<unknown>, path?: (string | number)[]): Promise<void> {
    const sent = h.sent.length;
    await assert.rejects(call, (error: unknown) => {
      assert.ok(error instanceof ValidationError, `expected ValidationError, got ${error}`);
      if (path) assert.ok(error.issues.some((i) => JSON.stringify(i.path) === JSON.stringify(path)), JSON.stringify(error.issues));
      return true;
    });
    assert.equal(h.sent.length, sent, 'no SQL may be sent for invalid input');
  }

  before(async () => (h = await open()));
  after(() => h.close());

  describe(`UserRepository on ${dialect}`, () => {
    it('create returns the stored row with camelCase keys, defaults filled', async () => {
      const user = await h.repos.users.create({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' });
      assert.deepEqual(Object.keys(user), ['id', 'firstName', 'lastName', 'email', 'createdAt', 'updatedAt']);
      assert.match(user.id, /^[0-9a-f-]{36}$/);
      assert.equal(user.firstName, 'Ada');
      assert.ok(user.createdAt instanceof Date);
      assert.deepEqual(user.updatedAt, user.createdAt);
    });

    it('create validates before any SQL: missing, wrong-typed and unknown fields', async () => {
      await rejectsBeforeSql(() => h.repos.users.create({ lastName: 'X' } as never), ['firstName']);
      await rejectsBeforeSql(() => h.repos.users.create({ firstName: 1, lastName: 'X' } as never), ['firstName']);
      await rejectsBeforeSql(() => h.repos.users.create({ firstName: 'A', lastName: 'B', nickname: 'c' } as never));
      await rejectsBeforeSql(() => h.repos.users.create({ firstName: 'A', lastName: 'B', id: crypto.randomUUID() } as never));
    });

    it('a duplicate email is a ConflictError naming the column (and the constraint, where the dialect says it)', async () => {
      await h.repos.users.create({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' });
      await assert.rejects(
        () => h.repos.users.create({ firstName: 'Other', lastName: 'Grace', email: 'grace@example.com' }),
        (error: unknown) => error instanceof ConflictError && error.columns.join() === 'email' && (!pg || error.constraint === 'users_email_key'),
      );
    });

    it('get, getOrThrow and getMany', async () => {
      const a = await h.repos.users.create({ firstName: 'Alan', lastName: 'Turing' });
      const b = await h.repos.users.create({ firstName: 'Kurt', lastName: 'Goedel' });
      assert.deepEqual(await h.repos.users.get(a.id), a);
      assert.equal(await h.repos.users.get('00000000-0000-0000-0000-000000000001'), null);
      assert.deepEqual(await h.repos.users.getOrThrow(b.id), b);
      await assert.rejects(() => h.repos.users.getOrThrow('00000000-0000-0000-0000-000000000001'), NotFoundError);
      const missing = '11111111-1111-1111-1111-111111111111';
      assert.deepEqual(await h.repos.users.getMany([b.id, missing, a.id, b.id]), [b, a]);
      assert.deepEqual(await h.repos.users.getMany([]), []);
      assert.deepEqual(await h.repos.users.get(a.id.toUpperCase()), a, 'uuids compare canonically');
      assert.deepEqual(await h.repos.users.getMany([b.id.toUpperCase(), a.id]), [b, a], 'also in getMany, which matches rows to ids in JS');
      assert.deepEqual(await h.repos.users.list({ where: { id: a.id.toUpperCase() } }).then((p) => p.rows), [a]);
      await rejectsBeforeSql(() => h.repos.users.get('not-a-uuid'));
      await rejectsBeforeSql(() => h.repos.users.getMany([a.id, 'nope']), [1]);
    });

    it('update sets the given fields and updated_at; a missing id is NotFoundError', async () => {
      const user = await h.repos.users.create({ firstName: 'Barbara', lastName: 'Liskov', email: 'bl@example.com' });
      await nextMillisecond();
      const updated = await h.repos.users.update(user.id, { firstName: 'Barb', email: null });
      assert.equal(updated.firstName, 'Barb');
      assert.equal(updated.email, null);
      assert.equal(updated.lastName, 'Liskov');
      assert.ok(updated.updatedAt > user.updatedAt);
      assert.deepEqual(updated.createdAt, user.createdAt);
      assert.deepEqual(await h.repos.users.get(user.id), updated, 'what update returned is what is stored');
      await nextMillisecond();
      const touched = await h.repos.users.update(user.id, {});
      assert.ok(touched.updatedAt > updated.updatedAt);
      await assert.rejects(() => h.repos.users.update('00000000-0000-0000-0000-000000000002', { firstName: 'x' }), NotFoundError);
      await rejectsBeforeSql(() => h.repos.users.update(user.id, { id: user.id } as never));
      await rejectsBeforeSql(() => h.repos.users.update(user.id, { firstName: null } as never), ['firstName']);
    });

    it('upsert inserts, then updates on the email key (the default) or the primary key', async () => {
      const first = await h.repos.users.upsert({ firstName: 'Edsger', lastName: 'Dijkstra', email: 'ewd@example.com' });
      const again = await h.repos.users.upsert({ firstName: 'E. W.', lastName: 'Dijkstra', email: 'ewd@example.com' });
      assert.equal(again.id, first.id);
      assert.equal(again.firstName, 'E. W.');
      const byId = await h.repos.users.upsert({ id: first.id, firstName: 'Edsger W.', lastName: 'Dijkstra' }, 'id');
      assert.equal(byId.id, first.id);
      assert.equal(byId.email, 'ewd@example.com');
      const other = '00000000-0000-0000-0000-0000000000ee';
      const onEmail = await h.repos.users.upsert({ id: other, firstName: 'Edsger', lastName: 'Dijkstra', email: 'ewd@example.com' }, 'email');
      assert.equal(onEmail.id, first.id, 'upsert on another key never changes the primary key');
      assert.deepEqual(onEmail.createdAt, first.createdAt);
      assert.equal(await h.repos.users.get(other), null);
      await rejectsBeforeSql(() => h.repos.users.upsert({ firstName: 'No', lastName: 'Email' }), ['email']);
      await rejectsBeforeSql(() => h.repos.users.upsert({ firstName: 'A', lastName: 'B', email: 'x@y' }, 'nickname' as never));
    });

    it("get runs on the path production uses: SQLite's synchronous fast path, PostgreSQL through the pool", async () => {
      const user = await h.repos.users.create({ firstName: 'Fast', lastName: 'Path' });
      const [sent, sentNow] = [h.sent.length, h.sentNow.length];
      assert.deepEqual(await h.repos.users.get(user.id), user);
      assert.equal(h.sent.length - sent, 1);
      assert.equal(h.sentNow.length - sentNow, pg ? 0 : 1);
    });

    it('delete returns whether a row went', async () => {
      const user = await h.repos.users.create({ firstName: 'Tmp', lastName: 'User' });
      assert.equal(await h.repos.users.delete(user.id), true);
      assert.equal(await h.repos.users.delete(user.id), false);
      assert.equal(await h.repos.users.get(user.id), null);
    });

    it('createMany inserts in one statement and keeps input order; a conflict inserts nothing', async () => {
      const before = h.sent.length;
      const rows = await h.repos.users.createMany([
        { firstName: 'M1', lastName: 'Many', email: 'm1@example.com' },
        { firstName: 'M2', lastName: 'Many' },
        { firstName: 'M3', lastName: 'Many', email: null },
      ]);
      assert.equal(h.sent.length - before, 1);
      assert.deepEqual(rows.map((r) => [r.firstName, r.email]), [['M1', 'm1@example.com'], ['M2', null], ['M3', null]]);
      assert.deepEqual(await h.repos.users.createMany([]), []);
      const count = await h.repos.users.count({ lastName: 'Many' });
      await assert.rejects(() => h.repos.users.createMany([{ firstName: 'M4', lastName: 'Many' }, { firstName: 'M5', lastName: 'Many', email: 'm1@example.com' }]), ConflictError);
      assert.equal(await h.repos.users.count({ lastName: 'Many' }), count);
      await rejectsBeforeSql(() => h.repos.users.createMany([{ firstName: 'ok', lastName: 'ok' }, { firstName: 'bad' } as never]), [1, 'lastName']);
    });

    it('count with equality filters; null matches NULL', async () => {
      const all = await h.repos.users.count();
      const noEmail = await h.repos.users.count({ email: null });
      const withEmail = (await h.repos.users.list({ limit: 1000 })).rows.filter((u) => u.email !== null).length;
      assert.equal(noEmail + withEmail, all);
      assert.equal(await h.repos.users.count({ firstName: 'M2', lastName: 'Many' }), 1);
      await rejectsBeforeSql(() => h.repos.users.count({ nickname: 'x' } as never));
    });

    it('list pages through every row exactly once, whatever the order, ties included', async () => {
      // One statement: all 25 rows share created_at, and last names repeat, so the key must break ties.
      await h.repos.users.createMany(Array.from({ length: 25 }, (_, i) => ({ firstName: `P${i}`, lastName: `Page${i % 4}` })));
      const expected = (await h.repos.users.list({ limit: 1000 })).rows.map((u) => u.id).sort();
      const orders = [undefined, { field: 'lastName', direction: 'asc' }, { field: 'createdAt', direction: 'desc' }, { field: 'firstName', direction: 'desc' }] as const;
      for (const orderBy of orders) {
        const seen: User[] = [];
        let after: string | null = null;
        let pages = 0;
        do {
          const page = await h.repos.users.list({ orderBy, limit: 4, after });
          seen.push(...page.rows);
          after = page.next;
          pages++;
          assert.ok(pages < 100);
        } while (after !== null);
        assert.deepEqual(seen.map((u) => u.id).sort(), expected, `orderBy ${JSON.stringify(orderBy)}`);
        assert.equal(new Set(seen.map((u) => u.id)).size, seen.length);
      }
      const filtered = await h.repos.users.list({ where: { lastName: 'Page1' }, orderBy: { field: 'firstName' } });
      assert.deepEqual(filtered.rows.map((u) => u.firstName), ['P1', 'P13', 'P17', 'P21', 'P5', 'P9']);
      assert.equal(filtered.next, null);
    });

    it('list rejects bad options before SQL: limit, sort field, foreign cursor', async () => {
      await rejectsBeforeSql(() => h.repos.users.list({ limit: 0 }), ['limit']);
      await rejectsBeforeSql(() => h.repos.users.list({ orderBy: { field: 'email' } as never }));
      const page = await h.repos.users.list({ limit: 1, orderBy: { field: 'lastName' } });
      assert.ok(page.next);
      await rejectsBeforeSql(() => h.repos.users.list({ after: page.next, orderBy: { field: 'firstName' } }), ['after']);
      await rejectsBeforeSql(() => h.repos.users.list({ after: 'garbage' }), ['after']);
    });

    it('named queries: findUserByEmail everywhere; searchUsersByName (ILIKE) is PostgreSQL-only', async () => {
      const user = await h.repos.users.create({ firstName: 'Donald', lastName: 'Knuth', email: 'dek@example.com' });
      assert.deepEqual(await h.repos.users.findUserByEmail({ email: 'dek@example.com' }), [user]);
      assert.deepEqual(await h.repos.users.findUserByEmail({ email: 'nobody@example.com' }), []);
      if (pg) {
        assert.deepEqual(await h.repos.users.searchUsersByName({ pattern: 'knu%', limit: 5 }), [user]);
      } else {
        const sent = h.sent.length;
        await assert.rejects(() => h.repos.users.searchUsersByName({ pattern: 'knu%', limit: 5 }), (error: unknown) => {
          assert.ok(error instanceof UnsupportedOnDialectError, String(error));
          assert.equal(error.code, 'unsupported_on_dialect');
          assert.match(error.message, /^UserRepository\.searchUsersByName is PostgreSQL-only: uses ILIKE/);
          return true;
        });
        assert.equal(h.sent.length, sent, 'no SQL is sent');
      }
      await rejectsBeforeSql(() => h.repos.users.findUserByEmail({} as never), ['email']);
      await rejectsBeforeSql(() => h.repos.users.searchUsersByName({ pattern: 'x', limit: 1.5 }), ['limit']);
    });

    // Last: it adds thousands of users, which the tests above would have to page through.
    it("createMany refuses more parameters than the dialect binds, before SQL (PostgreSQL 65535, SQLite 32766)", async () => {
      const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ firstName: `L${i}`, lastName: 'Limit', email: `limit${i}@example.com` }));
      await rejectsBeforeSql(() => h.repos.users.createMany(rows(pg ? 21846 : 10923))); // 3 parameters a row: 65538 / 32769
      const made = await h.repos.users.createMany(rows(pg ? 21845 : 10922)); // 65535 / 32766: exactly the limit
      assert.equal(made.length, pg ? 21845 : 10922);
      assert.equal(await h.repos.users.count({ lastName: 'Limit' }), made.length);
    });
  });

  describe(`UserIdentityRepository on ${dialect}`, () => {
    let user: User;
    before(async () => (user = await h.repos.users.create({ firstName: 'Ident', lastName: 'Owner' })));

    it('create, get, getOrThrow, getMany, update, delete', async () => {
      const identity = await h.repos.userIdentities.create({ userId: user.id, provider: 'google', subject: 'g-1', email: 'ada@gmail.com' });
      assert.deepEqual(Object.keys(identity), ['id', 'userId', 'provider', 'subject', 'email', 'createdAt', 'updatedAt']);
      assert.deepEqual(await h.repos.userIdentities.get(identity.id), identity);
      assert.deepEqual(await h.repos.userIdentities.getOrThrow(identity.id), identity);
      assert.deepEqual(await h.repos.userIdentities.getMany([identity.id]), [identity]);
      const updated = await h.repos.userIdentities.update(identity.id, { email: null });
      assert.equal(updated.email, null);
      assert.ok(updated.updatedAt >= identity.updatedAt);
      assert.equal(await h.repos.userIdentities.delete(identity.id), true);
      await assert.rejects(() => h.repos.userIdentities.update(identity.id, { email: 'x' }), NotFoundError);
    });

    it('the (provider, subject) unique key: ConflictError on create, upsert on it by default', async () => {
      await h.repos.userIdentities.create({ userId: user.id, provider: 'keycloak', subject: 'k-1' });
      await assert.rejects(
        () => h.repos.userIdentities.create({ userId: user.id, provider: 'keycloak', subject: 'k-1' }),
        (error: unknown) => error instanceof ConflictError && error.columns.join() === 'provider,subject',
      );
      const upserted = await h.repos.userIdentities.upsert({ userId: user.id, provider: 'keycloak', subject: 'k-1', email: 'new@example.com' });
      assert.equal(upserted.email, 'new@example.com');
      assert.equal(await h.repos.userIdentities.count({ provider: 'keycloak' }), 1);
    });

    it('a missing user is a ForeignKeyError; a bad user id never reaches the database', async () => {
      await assert.rejects(() => h.repos.userIdentities.create({ userId: '00000000-0000-0000-0000-000000000009', provider: 'google', subject: 'orphan' }), ForeignKeyError);
      await rejectsBeforeSql(() => h.repos.userIdentities.create({ userId: 'x', provider: 'google', subject: 's' }));
    });

    it('createMany, list with where, and the named queries', async () => {
      const other = await h.repos.users.create({ firstName: 'Grace', lastName: 'Hopper' });
      const made = await h.repos.userIdentities.createMany([
        { userId: other.id, provider: 'microsoft', subject: 'm-1' },
        { userId: other.id, provider: 'google', subject: 'g-2', email: 'grace@gmail.com' },
      ]);
      const page = await h.repos.userIdentities.list({ where: { userId: other.id }, orderBy: { field: 'provider' } });
      assert.deepEqual(page.rows.map((r) => r.provider), ['google', 'microsoft']);
      assert.deepEqual(await h.repos.userIdentities.findIdentityByProviderSubject({ provider: 'google', subject: 'g-2' }), [made[1]]);
      assert.deepEqual(await h.repos.userIdentities.listIdentitiesOfUser({ userId: other.id }), [made[1], made[0]]);
    });

    it('deleting a user cascades to its identities', async () => {
      const doomed = await h.repos.users.create({ firstName: 'Gone', lastName: 'Soon' });
      const identity = await h.repos.userIdentities.create({ userId: doomed.id, provider: 'google', subject: 'cascade' });
      await h.repos.users.delete(doomed.id);
      assert.equal(await h.repos.userIdentities.get(identity.id), null);
    });
  });

  describe(`TaskRepository on ${dialect}`, () => {
    let owner: User;
    before(async () => (owner = await h.repos.users.create({ firstName: 'Task', lastName: 'Owner' })));

    it('round-trips every mapped type: enum, int, timestamptz, text[], jsonb, numeric, boolean', async () => {
      const task = await h.repos.tasks.create({
        title: 'Write codegen',
        status: 'doing',
        priority: 3,
        dueAt: '2030-01-02T03:04:05.678Z',
        ownerId: owner.id,
        labels: ['a', 'b,c', 'd"e'],
        metadata: [1, { nested: true }, null],
        estimate: 12.5,
        archived: false,
      });
      assert.equal(task.status, 'doing');
      assert.equal(task.priority, 3);
      assert.deepEqual(task.dueAt, new Date('2030-01-02T03:04:05.678Z'));
      assert.deepEqual(task.labels, ['a', 'b,c', 'd"e']);
      assert.deepEqual(task.metadata, [1, { nested: true }, null]);
      assert.equal(task.estimate, '12.50', 'numeric(10,2) reads with its scale');
      const defaults = await h.repos.tasks.create({ title: 'Defaults', ownerId: owner.id, estimate: '99999999.99' });
      assert.deepEqual(
        { status: defaults.status, priority: defaults.priority, dueAt: defaults.dueAt, labels: defaults.labels, metadata: defaults.metadata, archived: defaults.archived, estimate: defaults.estimate },
        { status: 'todo', priority: 0, dueAt: null, labels: [], metadata: {}, archived: false, estimate: '99999999.99' },
      );
    });

    it('numeric(10,2) refuses a value with more than 8 digits before the point, as PostgreSQL does (22003)', async () => {
      const count = await h.repos.tasks.count({ ownerId: owner.id });
      for (const estimate of ['123456789.5', '99999999.995', -1e8]) {
        // PostgreSQL: numeric field overflow (22003); SQLite: the emitted CHECK tasks_estimate_precision. Both bad input.
        await assert.rejects(() => h.repos.tasks.create({ title: 'Too big', ownerId: owner.id, estimate }), (e: unknown) =>
          e instanceof CheckViolationError && (pg || e.constraint === 'tasks_estimate_precision'));
      }
      assert.equal(await h.repos.tasks.count({ ownerId: owner.id }), count);
      // Exactly 8 digits before the point fit unless rounding to 2 digits carries past them.
      for (const [estimate, stored] of [['-99999999.994', '-99999999.99'], ['12345678.50', '12345678.50'], ['12345678.999', '12345679.00'], ['10000000', '10000000.00']]) {
        const edge = await h.repos.tasks.create({ title: 'Just fits', ownerId: owner.id, estimate });
        assert.equal(edge.estimate, stored, estimate);
        await h.repos.tasks.delete(edge.id);
      }
    });

    it("an int8 given as '007' is stored and read back as '7', as PostgreSQL returns it", async () => {
      await h.db.executor.query(`CREATE TABLE app.counters (n ${pg ? 'bigint' : 'TEXT'} NOT NULL)${pg ? '' : ' STRICT'}`);
      try {
        const insert = { name: 'test_counter', method: 'Test.counter', text: 'INSERT INTO app.counters (n) VALUES ($1) RETURNING n', params: [{ kind: 'bigint' as const }], columns: [{ column: 'n', sql: 'n', field: 'n', type: { kind: 'bigint' as const } }] };
        const rows = await runNamedQuery(h.db.executor, insert, [validate(t.int8Input, '007', 'Test.counter')], z.object({ n: t.int8 }));
        assert.deepEqual(rows, [{ n: '7' }]);
        // int8's range: refused before SQL by the input schema, and by the database (22003) or the SQLite codec after it.
        for (const n of ['9223372036854775807', -(2n ** 63n)]) assert.equal(validate(t.int8Input, n, 'Test.counter'), String(n));
        for (const n of ['99999999999999999999', 2n ** 64n, '-9223372036854775809']) {
          assert.throws(() => validate(t.int8Input, n, 'Test.counter'), ValidationError);
          await assert.rejects(() => runNamedQuery(h.db.executor, insert, [n], z.object({ n: t.int8 })), CheckViolationError);
        }
        const stored = await h.db.executor.query<{ n: string | number }>('SELECT n FROM app.counters');
        assert.deepEqual(stored.rows.map((r) => String(r.n)), ['7']);
      } finally {
        await h.db.executor.query('DROP TABLE app.counters');
      }
    });

    it('rejects bad input before SQL; a CHECK violation is a typed error', async () => {
      const bad = [
        { title: 'x', ownerId: owner.id, status: 'blocked' },
        { title: 'x', ownerId: owner.id, priority: 1.5 },
        { title: 'x', ownerId: owner.id, estimate: 'twelve' },
        { title: 'x', ownerId: owner.id, dueAt: 'tomorrow' },
        { title: 'x', ownerId: owner.id, labels: 'a' },
        { title: 'x', ownerId: owner.id, metadata: () => 1 },
      ];
      for (const input of bad) await rejectsBeforeSql(() => h.repos.tasks.create(input as never));
      await assert.rejects(() => h.repos.tasks.create({ title: 'x', ownerId: owner.id, priority: 9 }), (e: unknown) => e instanceof CheckViolationError && e.constraint === 'tasks_priority_range');
    });

    it('get, getMany, update, upsert by id, delete', async () => {
      const task = await h.repos.tasks.create({ title: 'Plan', ownerId: owner.id });
      assert.deepEqual(await h.repos.tasks.get(task.id), task);
      assert.deepEqual(await h.repos.tasks.getMany([task.id]), [task]);
      await nextMillisecond();
      const done = await h.repos.tasks.update(task.id, { status: 'done', labels: ['x'], estimate: null, dueAt: new Date('2031-01-01T00:00:00Z') });
      assert.equal(done.status, 'done');
      assert.deepEqual(done.labels, ['x']);
      assert.ok(done.updatedAt > task.updatedAt);
      const upserted = await h.repos.tasks.upsert({ id: task.id, title: 'Plan v2', ownerId: owner.id });
      assert.equal(upserted.id, task.id);
      assert.equal(upserted.title, 'Plan v2');
      assert.equal(upserted.status, 'done', 'fields not given keep their value');
      const fresh = await h.repos.tasks.upsert({ title: 'New via upsert', ownerId: owner.id, id: '00000000-0000-0000-0000-0000000000aa' });
      assert.equal(fresh.id, '00000000-0000-0000-0000-0000000000aa');
      assert.equal(await h.repos.tasks.delete(fresh.id), true);
      await assert.rejects(() => h.repos.tasks.getOrThrow(fresh.id), NotFoundError);
    });

    it('createMany with rows that leave out different columns: each gets its default', async () => {
      const rows = await h.repos.tasks.createMany([
        { title: 'm1', ownerId: owner.id, status: 'doing', labels: ['x'], estimate: '1.5' },
        { title: 'm2', ownerId: owner.id, metadata: { k: 1 }, archived: true },
        { title: 'm3', ownerId: owner.id, priority: 4 },
      ]);
      assert.deepEqual(
        rows.map((t) => [t.title, t.status, t.priority, t.labels, t.metadata, t.estimate, t.archived]),
        [['m1', 'doing', 0, ['x'], {}, '1.50', false], ['m2', 'todo', 0, [], { k: 1 }, null, true], ['m3', 'todo', 4, [], {}, null, false]],
      );
      assert.equal(new Set(rows.map((t) => t.id)).size, 3);
    });

    it('list: filter on enum and boolean, keyset by priority desc returns every row once', async () => {
      const other = await h.repos.users.create({ firstName: 'List', lastName: 'Owner' });
      await h.repos.tasks.createMany(Array.from({ length: 17 }, (_, i) => ({ title: `t${i}`, ownerId: other.id, priority: i % 6, status: i % 3 === 0 ? 'done' : 'todo' } as const)));
      const seen: Task[] = [];
      let after: string | null = null;
      do {
        const page: { rows: Task[]; next: string | null } = await h.repos.tasks.list({ where: { ownerId: other.id }, orderBy: { field: 'priority', direction: 'desc' }, limit: 5, after });
        seen.push(...page.rows);
        after = page.next;
      } while (after);
      assert.equal(seen.length, 17);
      assert.equal(new Set(seen.map((t) => t.id)).size, 17);
      assert.deepEqual(seen.map((t) => t.priority), [...seen.map((t) => t.priority)].sort((a, b) => b - a));
      assert.equal(await h.repos.tasks.count({ ownerId: other.id, status: 'done' }), 6);
      assert.equal(await h.repos.tasks.count({ ownerId: other.id, archived: true }), 0);
    });

    it('list by status (an enum) sorts in declaration order and pages through every row once, as on PostgreSQL', async () => {
      const other = await h.repos.users.create({ firstName: 'Status', lastName: 'Order' });
      const statuses = ['done', 'todo', 'doing', 'done', 'todo', 'doing', 'todo'] as const;
      await h.repos.tasks.createMany(statuses.map((status, i) => ({ title: `s${i}`, ownerId: other.id, status })));
      for (const direction of ['asc', 'desc'] as const) {
        const seen: Task[] = [];
        let after: string | null = null;
        do {
          const page: { rows: Task[]; next: string | null } = await h.repos.tasks.list({ where: { ownerId: other.id }, orderBy: { field: 'status', direction }, limit: 2, after });
          seen.push(...page.rows);
          after = page.next;
        } while (after);
        const order = direction === 'asc' ? ['todo', 'todo', 'todo', 'doing', 'doing', 'done', 'done'] : ['done', 'done', 'doing', 'doing', 'todo', 'todo', 'todo'];
        assert.deepEqual(seen.map((t) => t.status), order);
        assert.equal(new Set(seen.map((t) => t.id)).size, statuses.length);
      }
    });

    it('list by bigint, numeric and enum columns sorts numerically / in declaration order, keyset pages included', async () => {
      await h.db.executor.query(pg
        ? 'CREATE TABLE app.sort_fixture (id uuid NOT NULL PRIMARY KEY, n bigint NOT NULL, d numeric(20,3) NOT NULL, s app.task_status NOT NULL)'
        : 'CREATE TABLE app.sort_fixture (id TEXT NOT NULL PRIMARY KEY, n TEXT NOT NULL, d TEXT NOT NULL, s TEXT NOT NULL) STRICT');
      try {
        const columns: ColumnDescriptor[] = [
          { column: 'id', sql: 'id', field: 'id', type: { kind: 'uuid' } },
          { column: 'n', sql: 'n', field: 'n', type: { kind: 'bigint' } },
          { column: 'd', sql: 'd', field: 'd', type: { kind: 'numeric', scale: 3 } },
          { column: 's', sql: 's', field: 's', type: { kind: 'enum', values: ['todo', 'doing', 'done'] } },
        ];
        const table = new Table<{ id: string; n: string; d: string; s: string }>({ entity: 'SortFixture', sqlName: 'app.sort_fixture', statement: 'test_sort_fixture', columns, key: 'id', uniqueKeys: {} });
        const n = ['9', '10', '100', '-5', '9223372036854775807', '-9223372036854775808', '0', '10'];
        const d = ['2.5', '10', '-1.25', '100.001', '9.99', '0', '12345678901234567.5', '-10'];
        const s = ['done', 'todo', 'doing', 'todo', 'done', 'doing', 'todo', 'done'];
        await table.insertMany(h.db.executor, n.map((_, i) => ({ id: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, n: n[i], d: d[i], s: s[i] })));
        const thousandths = (v: string) => BigInt(v.replace('.', ''));
        const rank: Record<string, (row: { n: string; d: string; s: string }) => bigint> = {
          n: (row) => BigInt(row.n),
          d: (row) => thousandths(row.d),
          s: (row) => BigInt(['todo', 'doing', 'done'].indexOf(row.s)),
        };
        for (const field of ['n', 'd', 's']) {
          for (const direction of ['asc', 'desc'] as const) {
            const seen: { id: string; n: string; d: string; s: string }[] = [];
            let after: string | null = null;
            do {
              const page = await table.list(h.db.executor, { orderBy: { field, direction }, limit: 3, after });
              seen.push(...page.rows);
              after = page.next;
            } while (after);
            const sign = direction === 'asc' ? 1 : -1;
            const expected = [...seen].sort((a, b) => sign * (rank[field](a) < rank[field](b) ? -1 : rank[field](a) > rank[field](b) ? 1 : a.id < b.id ? -1 : 1));
            assert.deepEqual(seen.map((r) => r.id), expected.map((r) => r.id), `${field} ${direction}`);
            assert.equal(new Set(seen.map((r) => r.id)).size, n.length, `${field} ${direction}: every row once`);
          }
        }
      } finally {
        await h.db.executor.query('DROP TABLE app.sort_fixture');
      }
    });

    it('named queries: open tasks, counts by status in enum order (int8 as string), archive stamps updated_at', async () => {
      const owner2 = await h.repos.users.create({ firstName: 'Named', lastName: 'Queries' });
      const [a] = await h.repos.tasks.createMany([
        { title: 'a', ownerId: owner2.id, status: 'done' },
        { title: 'b', ownerId: owner2.id, dueAt: new Date('2030-01-01T00:00:00Z') },
        { title: 'c', ownerId: owner2.id, status: 'doing' },
      ]);
      assert.deepEqual((await h.repos.tasks.listOpenTasksOfOwner({ ownerId: owner2.id })).map((t) => t.title), ['b', 'c']);
      assert.deepEqual(await h.repos.tasks.countTasksByStatus({ ownerId: owner2.id }), [
        { status: 'todo', total: '1' },
        { status: 'doing', total: '1' },
        { status: 'done', total: '1' },
      ]);
      await nextMillisecond();
      const archived = await h.repos.tasks.archiveDoneTasksOfOwner({ ownerId: owner2.id });
      assert.deepEqual(archived.map((t) => [t.title, t.archived]), [['a', true]]);
      assert.ok(archived[0].updatedAt > a.updatedAt);
      assert.deepEqual(archived, [await h.repos.tasks.get(a.id)], 'RETURNING reports the row as stored, updated_at included');
      await rejectsBeforeSql(() => h.repos.tasks.countTasksByStatus({ ownerId: 'nope' }));
    });

    it('a named query whose row breaks its declared nullability fails with a ValidationError', async () => {
      const lie = { name: 'test_lie', method: 'Test.lie', text: 'SELECT NULL AS "title!"', params: [], columns: [{ column: 'title!', sql: 'title!', field: 'title', type: { kind: 'text' as const } }] };
      await assert.rejects(() => runNamedQuery(h.db.executor, lie, [], z.object({ title: z.string() })), (error: unknown) => error instanceof ValidationError && error.issues[0].path[0] === 'title');
    });

    it('deleting the owner cascades to its tasks; an unknown owner is a ForeignKeyError', async () => {
      const doomed = await h.repos.users.create({ firstName: 'Cascade', lastName: 'Owner' });
      const task = await h.repos.tasks.create({ title: 'doomed', ownerId: doomed.id });
      await h.repos.users.delete(doomed.id);
      assert.equal(await h.repos.tasks.get(task.id), null);
      await assert.rejects(() => h.repos.tasks.create({ title: 'orphan', ownerId: doomed.id }), ForeignKeyError);
    });
  });

  describe(`transactions on ${dialect}`, () => {
    it('commit keeps the writes, an error rolls them all back', async () => {
      const email = `tx-${dialect}@example.com`;
      const user = await h.db.transaction(async (repos) => {
        const u = await repos.users.create({ firstName: 'Tx', lastName: 'Commit', email });
        await repos.tasks.create({ title: 'in tx', ownerId: u.id });
        return u;
      });
      assert.equal(await h.repos.tasks.count({ ownerId: user.id }), 1);
      await assert.rejects(
        h.db.transaction(async (repos) => {
          await repos.tasks.create({ title: 'rolled back', ownerId: user.id });
          await repos.users.create({ firstName: 'Dup', lastName: 'Email', email }); // ConflictError
        }),
        ConflictError,
      );
      assert.equal(await h.repos.tasks.count({ ownerId: user.id }), 1);
    });

    it('a failed savepoint rolls back only its own writes; nested db.transaction is a savepoint', async () => {
      const owner = await h.repos.users.create({ firstName: 'Save', lastName: 'Point' });
      await h.db.transaction(async (repos, tx) => {
        await repos.tasks.create({ title: 'outer', ownerId: owner.id });
        await assert.rejects(
          tx.savepoint(async () => {
            await repos.tasks.create({ title: 'inner', ownerId: owner.id });
            await repos.tasks.create({ title: 'bad', ownerId: owner.id, priority: 9 });
          }),
          CheckViolationError,
        );
        await assert.rejects(
          h.db.transaction(async (inner) => {
            await inner.tasks.create({ title: 'nested', ownerId: owner.id });
            throw new Error('nested fails');
          }),
          /nested fails/,
        );
        await repos.tasks.create({ title: 'after', ownerId: owner.id });
      });
      const titles = (await h.repos.tasks.list({ where: { ownerId: owner.id }, orderBy: { field: 'title' } })).rows.map((t) => t.title);
      assert.deepEqual(titles, ['after', 'outer']);
    });

    it('after an error inside a transaction, statements fail until rollback, as on PostgreSQL', async () => {
      const owner = await h.repos.users.create({ firstName: 'Aborted', lastName: 'Tx' });
      await assert.rejects(
        h.db.transaction(async (repos) => {
          await repos.tasks.create({ title: 'bad', ownerId: owner.id, priority: 9 }).catch(() => undefined); // swallowed
          await repos.tasks.create({ title: 'never', ownerId: owner.id });
        }),
        (error: unknown) => (error as { sqlState?: string }).sqlState === '25P02',
      );
      assert.equal(await h.repos.tasks.count({ ownerId: owner.id }), 0);
    });
  });
}
