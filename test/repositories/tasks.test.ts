import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { Repositories, type Task, type User } from '../../generated/index.js';
import { CheckViolationError, NotFoundError, ValidationError } from '../../src/errors.js';
import { runNamedQuery } from '../../src/repository-runtime.js';
import { createMigratedDatabase, type TestDatabase } from '../support/database.js';
import { PgExecutor } from '../support/pg-executor.js';

describe('TaskRepository against PostgreSQL', () => {
  let db: TestDatabase;
  let executor: PgExecutor;
  let repos: Repositories;
  let owner: User;

  before(async () => {
    db = await createMigratedDatabase();
    executor = await PgExecutor.connect(db.url);
    repos = new Repositories(executor);
    owner = await repos.users.create({ firstName: 'Ada', lastName: 'Lovelace' });
  });
  after(async () => {
    await executor.end();
    await db.drop();
  });

  it('round-trips every mapped type: enum, int, timestamptz, text[], jsonb, numeric, boolean', async () => {
    const task = await repos.tasks.create({
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
    assert.equal(task.estimate, '12.50');
    const defaults = await repos.tasks.create({ title: 'Defaults', ownerId: owner.id, estimate: '99999999.99' });
    assert.deepEqual(
      { status: defaults.status, priority: defaults.priority, dueAt: defaults.dueAt, labels: defaults.labels, metadata: defaults.metadata, archived: defaults.archived, estimate: defaults.estimate },
      { status: 'todo', priority: 0, dueAt: null, labels: [], metadata: {}, archived: false, estimate: '99999999.99' },
    );
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
    for (const input of bad) {
      const sent = executor.sent.length;
      await assert.rejects(() => repos.tasks.create(input as never), ValidationError, JSON.stringify(input));
      assert.equal(executor.sent.length, sent);
    }
    await assert.rejects(() => repos.tasks.create({ title: 'x', ownerId: owner.id, priority: 9 }), CheckViolationError);
  });

  it('get, getMany, update, upsert by id, delete', async () => {
    const task = await repos.tasks.create({ title: 'Plan', ownerId: owner.id });
    assert.deepEqual(await repos.tasks.get(task.id), task);
    assert.deepEqual(await repos.tasks.getMany([task.id]), [task]);
    const done = await repos.tasks.update(task.id, { status: 'done', labels: ['x'], estimate: null, dueAt: new Date('2031-01-01T00:00:00Z') });
    assert.equal(done.status, 'done');
    assert.deepEqual(done.labels, ['x']);
    assert.ok(done.updatedAt > task.updatedAt);
    const upserted = await repos.tasks.upsert({ id: task.id, title: 'Plan v2', ownerId: owner.id });
    assert.equal(upserted.id, task.id);
    assert.equal(upserted.title, 'Plan v2');
    assert.equal(upserted.status, 'done', 'fields not given keep their value');
    const fresh = await repos.tasks.upsert({ title: 'New via upsert', ownerId: owner.id, id: '00000000-0000-0000-0000-0000000000aa' });
    assert.equal(fresh.id, '00000000-0000-0000-0000-0000000000aa');
    assert.equal(await repos.tasks.delete(fresh.id), true);
    await assert.rejects(() => repos.tasks.getOrThrow(fresh.id), NotFoundError);
  });

  it('list: filter on enum and boolean, keyset by priority desc returns every row once', async () => {
    const other = await repos.users.create({ firstName: 'List', lastName: 'Owner' });
    await repos.tasks.createMany(Array.from({ length: 17 }, (_, i) => ({ title: `t${i}`, ownerId: other.id, priority: i % 6, status: i % 3 === 0 ? 'done' : 'todo' } as const)));
    const seen: Task[] = [];
    let after: string | null = null;
    do {
      const page: { rows: Task[]; next: string | null } = await repos.tasks.list({ where: { ownerId: other.id }, orderBy: { field: 'priority', direction: 'desc' }, limit: 5, after });
      seen.push(...page.rows);
      after = page.next;
    } while (after);
    assert.equal(seen.length, 17);
    assert.equal(new Set(seen.map((t) => t.id)).size, 17);
    assert.deepEqual(seen.map((t) => t.priority), [...seen.map((t) => t.priority)].sort((a, b) => b - a));
    assert.equal(await repos.tasks.count({ ownerId: other.id, status: 'done' }), 6);
    assert.equal(await repos.tasks.count({ ownerId: other.id, archived: true }), 0);
  });

  it('named queries: open tasks, counts by status (int8 as string), archive', async () => {
    const owner2 = await repos.users.create({ firstName: 'Named', lastName: 'Queries' });
    await repos.tasks.createMany([
      { title: 'a', ownerId: owner2.id, status: 'done' },
      { title: 'b', ownerId: owner2.id, dueAt: new Date('2030-01-01T00:00:00Z') },
      { title: 'c', ownerId: owner2.id, status: 'doing' },
    ]);
    assert.deepEqual((await repos.tasks.listOpenTasksOfOwner({ ownerId: owner2.id })).map((t) => t.title), ['b', 'c']);
    assert.deepEqual(await repos.tasks.countTasksByStatus({ ownerId: owner2.id }), [
      { status: 'todo', total: '1' },
      { status: 'doing', total: '1' },
      { status: 'done', total: '1' },
    ]);
    const archived = await repos.tasks.archiveDoneTasksOfOwner({ ownerId: owner2.id });
    assert.deepEqual(archived.map((t) => [t.title, t.archived]), [['a', true]]);
    await assert.rejects(() => repos.tasks.countTasksByStatus({ ownerId: 'nope' }), ValidationError);
  });

  it('a named query whose row breaks its declared nullability fails with a ValidationError', async () => {
    const lie = { name: 'test_lie', method: 'Test.lie', text: 'SELECT NULL::text AS "title!"', params: [], columns: [{ column: 'title!', sql: 'title!', field: 'title', type: { kind: 'text' as const } }] };
    await assert.rejects(() => runNamedQuery(executor, lie, [], z.object({ title: z.string() })), (error: unknown) => error instanceof ValidationError && error.issues[0].path[0] === 'title');
  });
});
