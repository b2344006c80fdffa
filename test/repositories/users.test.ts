import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Repositories, type User } from '../../generated/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.js';
import { createMigratedDatabase, type TestDatabase } from '../support/database.js';
import { PgExecutor } from '../support/pg-executor.js';

/** Asserts the call fails with a ValidationError and sends no SQL. */
async function rejectsBeforeSql(executor: PgExecutor, call: () => Promise<unknown>, path?: (string | number)[]): Promise<void> {
  const sent = executor.sent.length;
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected ValidationError, got ${error}`);
    if (path) assert.ok(error.issues.some((i) => JSON.stringify(i.path) === JSON.stringify(path)), JSON.stringify(error.issues));
    return true;
  });
  assert.equal(executor.sent.length, sent, 'no SQL may be sent for invalid input');
}

describe('UserRepository against PostgreSQL', () => {
  let db: TestDatabase;
  let executor: PgExecutor;
  let repos: Repositories;

  before(async () => {
    db = await createMigratedDatabase();
    executor = await PgExecutor.connect(db.url);
    repos = new Repositories(executor);
  });
  after(async () => {
    await executor.end();
    await db.drop();
  });

  it('create returns the stored row with camelCase keys, defaults filled', async () => {
    const user = await repos.users.create({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' });
    assert.deepEqual(Object.keys(user), ['id', 'firstName', 'lastName', 'email', 'createdAt', 'updatedAt']);
    assert.match(user.id, /^[0-9a-f-]{36}$/);
    assert.equal(user.firstName, 'Ada');
    assert.ok(user.createdAt instanceof Date);
  });

  it('create validates before any SQL: missing, wrong-typed and unknown fields', async () => {
    await rejectsBeforeSql(executor, () => repos.users.create({ lastName: 'X' } as never), ['firstName']);
    await rejectsBeforeSql(executor, () => repos.users.create({ firstName: 1, lastName: 'X' } as never), ['firstName']);
    await rejectsBeforeSql(executor, () => repos.users.create({ firstName: 'A', lastName: 'B', nickname: 'c' } as never));
    await rejectsBeforeSql(executor, () => repos.users.create({ firstName: 'A', lastName: 'B', id: crypto.randomUUID() } as never));
  });

  it('a duplicate email surfaces as a ConflictError naming the column', async () => {
    await repos.users.create({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' });
    await assert.rejects(
      () => repos.users.create({ firstName: 'Other', lastName: 'Grace', email: 'grace@example.com' }),
      (error: unknown) => error instanceof ConflictError && error.columns.join() === 'email' && error.constraint === 'users_email_key',
    );
  });

  it('get, getOrThrow and getMany', async () => {
    const a = await repos.users.create({ firstName: 'Alan', lastName: 'Turing' });
    const b = await repos.users.create({ firstName: 'Kurt', lastName: 'Goedel' });
    assert.deepEqual(await repos.users.get(a.id), a);
    assert.equal(await repos.users.get('00000000-0000-0000-0000-000000000001'), null);
    assert.deepEqual(await repos.users.getOrThrow(b.id), b);
    await assert.rejects(() => repos.users.getOrThrow('00000000-0000-0000-0000-000000000001'), NotFoundError);
    const missing = '11111111-1111-1111-1111-111111111111';
    assert.deepEqual(await repos.users.getMany([b.id, missing, a.id, b.id]), [b, a]);
    assert.deepEqual(await repos.users.getMany([]), []);
    await rejectsBeforeSql(executor, () => repos.users.get('not-a-uuid'));
    await rejectsBeforeSql(executor, () => repos.users.getMany([a.id, 'nope']), [1]);
  });

  it('update sets the given fields and updated_at; a missing id is NotFoundError', async () => {
    const user = await repos.users.create({ firstName: 'Barbara', lastName: 'Liskov', email: 'bl@example.com' });
    const updated = await repos.users.update(user.id, { firstName: 'Barb', email: null });
    assert.equal(updated.firstName, 'Barb');
    assert.equal(updated.email, null);
    assert.equal(updated.lastName, 'Liskov');
    assert.ok(updated.updatedAt > user.updatedAt);
    assert.deepEqual(updated.createdAt, user.createdAt);
    const touched = await repos.users.update(user.id, {});
    assert.ok(touched.updatedAt > updated.updatedAt);
    await assert.rejects(() => repos.users.update('00000000-0000-0000-0000-000000000002', { firstName: 'x' }), NotFoundError);
    await rejectsBeforeSql(executor, () => repos.users.update(user.id, { id: user.id } as never));
    await rejectsBeforeSql(executor, () => repos.users.update(user.id, { firstName: null } as never), ['firstName']);
  });

  it('upsert inserts, then updates on the email key (the default) or the primary key', async () => {
    const first = await repos.users.upsert({ firstName: 'Edsger', lastName: 'Dijkstra', email: 'ewd@example.com' });
    const again = await repos.users.upsert({ firstName: 'E. W.', lastName: 'Dijkstra', email: 'ewd@example.com' });
    assert.equal(again.id, first.id);
    assert.equal(again.firstName, 'E. W.');
    const byId = await repos.users.upsert({ id: first.id, firstName: 'Edsger W.', lastName: 'Dijkstra' }, 'id');
    assert.equal(byId.id, first.id);
    assert.equal(byId.email, 'ewd@example.com');
    await rejectsBeforeSql(executor, () => repos.users.upsert({ firstName: 'No', lastName: 'Email' }), ['email']);
    await rejectsBeforeSql(executor, () => repos.users.upsert({ firstName: 'A', lastName: 'B', email: 'x@y' }, 'nickname' as never));
  });

  it('delete returns whether a row went', async () => {
    const user = await repos.users.create({ firstName: 'Tmp', lastName: 'User' });
    assert.equal(await repos.users.delete(user.id), true);
    assert.equal(await repos.users.delete(user.id), false);
    assert.equal(await repos.users.get(user.id), null);
  });

  it('createMany inserts in one round trip and keeps input order; a conflict inserts nothing', async () => {
    const before = executor.sent.length;
    const rows = await repos.users.createMany([
      { firstName: 'M1', lastName: 'Many', email: 'm1@example.com' },
      { firstName: 'M2', lastName: 'Many' },
      { firstName: 'M3', lastName: 'Many', email: null },
    ]);
    assert.equal(executor.sent.length - before, 1);
    assert.deepEqual(rows.map((r) => [r.firstName, r.email]), [['M1', 'm1@example.com'], ['M2', null], ['M3', null]]);
    assert.deepEqual(await repos.users.createMany([]), []);
    const count = await repos.users.count({ lastName: 'Many' });
    await assert.rejects(() => repos.users.createMany([{ firstName: 'M4', lastName: 'Many' }, { firstName: 'M5', lastName: 'Many', email: 'm1@example.com' }]), ConflictError);
    assert.equal(await repos.users.count({ lastName: 'Many' }), count);
    await rejectsBeforeSql(executor, () => repos.users.createMany([{ firstName: 'ok', lastName: 'ok' }, { firstName: 'bad' } as never]), [1, 'lastName']);
  });

  it('count with equality filters; null matches NULL', async () => {
    const all = await repos.users.count();
    const noEmail = await repos.users.count({ email: null });
    const withEmail = (await repos.users.list({ limit: 1000 })).rows.filter((u) => u.email !== null).length;
    assert.equal(noEmail + withEmail, all);
    assert.equal(await repos.users.count({ firstName: 'M2', lastName: 'Many' }), 1);
    await rejectsBeforeSql(executor, () => repos.users.count({ nickname: 'x' } as never));
  });

  it('list pages through every row exactly once, whatever the order, ties included', async () => {
    // One statement: all 25 rows share created_at, and last names repeat, so the key must break ties.
    await repos.users.createMany(Array.from({ length: 25 }, (_, i) => ({ firstName: `P${i}`, lastName: `Page${i % 4}` })));
    const expected = (await repos.users.list({ limit: 1000 })).rows.map((u) => u.id).sort();
    const orders = [undefined, { field: 'lastName', direction: 'asc' }, { field: 'createdAt', direction: 'desc' }, { field: 'firstName', direction: 'desc' }] as const;
    for (const orderBy of orders) {
      const seen: User[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page = await repos.users.list({ orderBy, limit: 4, after });
        seen.push(...page.rows);
        after = page.next;
        pages++;
        assert.ok(pages < 100);
      } while (after !== null);
      assert.deepEqual(seen.map((u) => u.id).sort(), expected, `orderBy ${JSON.stringify(orderBy)}`);
      assert.equal(new Set(seen.map((u) => u.id)).size, seen.length);
    }
    const filtered = await repos.users.list({ where: { lastName: 'Page1' }, orderBy: { field: 'firstName' } });
    assert.deepEqual(filtered.rows.map((u) => u.firstName), ['P1', 'P13', 'P17', 'P21', 'P5', 'P9']);
    assert.equal(filtered.next, null);
  });

  it('list rejects bad options before SQL: limit, sort field, foreign cursor', async () => {
    await rejectsBeforeSql(executor, () => repos.users.list({ limit: 0 }), ['limit']);
    await rejectsBeforeSql(executor, () => repos.users.list({ orderBy: { field: 'email' } as never }));
    const page = await repos.users.list({ limit: 1, orderBy: { field: 'lastName' } });
    assert.ok(page.next);
    await rejectsBeforeSql(executor, () => repos.users.list({ after: page.next, orderBy: { field: 'firstName' } }), ['after']);
    await rejectsBeforeSql(executor, () => repos.users.list({ after: 'garbage' }), ['after']);
  });

  it('named queries: findUserByEmail and searchUsersByName', async () => {
    const user = await repos.users.create({ firstName: 'Donald', lastName: 'Knuth', email: 'dek@example.com' });
    assert.deepEqual(await repos.users.findUserByEmail({ email: 'dek@example.com' }), [user]);
    assert.deepEqual(await repos.users.findUserByEmail({ email: 'nobody@example.com' }), []);
    const found = await repos.users.searchUsersByName({ pattern: 'knu%', limit: 5 });
    assert.deepEqual(found, [user]);
    await rejectsBeforeSql(executor, () => repos.users.findUserByEmail({} as never), ['email']);
    await rejectsBeforeSql(executor, () => repos.users.searchUsersByName({ pattern: 'x', limit: 1.5 }), ['limit']);
  });
});
