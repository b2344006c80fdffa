import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Repositories } from '../../generated/index.js';
import { SqlwrightError } from '../../src/errors.js';
import { DIALECTS, openContractDatabase, type ContractDatabase } from './harness.js';

/**
 * The same sequence of repository calls on PostgreSQL and on SQLite gives equal results. Generated ids become
 * `#1, #2, …` in order of first appearance and timestamps `<time>` (their order is checked separately), so what
 * is compared is everything else: values, types, order, errors. The keys the sequence chooses itself are
 * compared as they are.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FIXED = /^0{8}-0{4}-0{4}-0{4}-/;

function normalise(value: unknown, ids: Map<string, string>): unknown {
  if (value instanceof Date) return '<time>';
  if (typeof value === 'string' && UUID.test(value) && !FIXED.test(value)) {
    if (!ids.has(value)) ids.set(value, `#${ids.size + 1}`);
    return ids.get(value);
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v, ids));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, ids)]));
  return value;
}

/** A call's outcome: its result, or its error's class, code and details (never the dialect's wording). */
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await call() };
  } catch (error) {
    if (!(error instanceof SqlwrightError)) throw error;
    // Not `table` or `constraint`: SQLite names neither for a foreign key (docs/sqlite.md, "Errors").
    return { error: error.name, code: error.code, columns: (error as { columns?: string[] }).columns };
  }
}

/** The sequence: every kind of call, on ids and values it chooses itself, so both runs can be compared. */
async function sequence(r: Repositories): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const ada = await r.users.upsert({ id: '00000000-0000-0000-0000-000000000001', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' }, 'id');
  const grace = await r.users.create({ firstName: 'Grace', lastName: 'Hopper', email: null });
  out.users = [ada, grace];
  out.duplicate = await outcome(() => r.users.create({ firstName: 'Other', lastName: 'Ada', email: 'ada@example.com' }));
  out.badInput = await outcome(() => r.users.create({ firstName: 'x' } as never));
  out.identities = await r.userIdentities.createMany([
    { userId: ada.id, provider: 'google', subject: 'g-1', email: 'ada@gmail.com' },
    { userId: ada.id, provider: 'keycloak', subject: 'k-1' },
  ]);
  out.orphan = await outcome(() => r.userIdentities.create({ userId: '00000000-0000-0000-0000-00000000dead', provider: 'google', subject: 'x' }));
  out.identityUpsert = await r.userIdentities.upsert({ userId: grace.id, provider: 'keycloak', subject: 'k-1', email: 'moved@example.com' });
  const tasks = await r.tasks.createMany([
    { title: 'alpha', ownerId: ada.id, status: 'doing', priority: 2, dueAt: new Date('2030-01-01T00:00:00Z'), labels: ['x', 'y z'], metadata: { a: [1, 2.5, 'three', null, true] }, estimate: '12.3' },
    { title: 'beta', ownerId: ada.id, estimate: 7, archived: true },
    { title: 'gamma', ownerId: ada.id, status: 'done', priority: 5, dueAt: '2029-06-30T12:34:56.789Z', estimate: '0.005' },
    { title: 'delta', ownerId: ada.id, status: 'done', priority: 3, metadata: 'just a string' },
  ]);
  out.tasks = tasks;
  out.checkViolation = await outcome(() => r.tasks.create({ title: 'bad', ownerId: ada.id, priority: 6 }));
  out.updated = await r.tasks.update(tasks[1].id, { status: 'doing', labels: ['only'], metadata: [], estimate: '99999999.99' });
  out.upserted = await r.tasks.upsert({ id: '00000000-0000-0000-0000-0000000000aa', title: 'upserted', ownerId: grace.id, priority: 1 });
  out.upsertedAgain = await r.tasks.upsert({ id: '00000000-0000-0000-0000-0000000000aa', title: 'upserted again', ownerId: grace.id });
  out.get = [await r.tasks.get(tasks[0].id), await r.tasks.get('00000000-0000-0000-0000-0000000000ff')];
  out.getMany = await r.tasks.getMany([tasks[3].id, tasks[0].id, tasks[3].id]);
  out.count = [await r.tasks.count(), await r.tasks.count({ ownerId: ada.id, status: 'done' }), await r.tasks.count({ dueAt: null })];
  const pages: unknown[] = [];
  let after: string | null = null;
  do {
    const page: { rows: { title: string }[]; next: string | null } = await r.tasks.list({ orderBy: { field: 'priority', direction: 'desc' }, limit: 2, after });
    pages.push(page.rows.map((t) => t.title));
    after = page.next;
  } while (after);
  out.pages = pages;
  out.byTitle = (await r.tasks.list({ orderBy: { field: 'title' } })).rows;
  out.open = await r.tasks.listOpenTasksOfOwner({ ownerId: ada.id });
  out.byStatus = await r.tasks.countTasksByStatus({ ownerId: ada.id });
  out.archived = await r.tasks.archiveDoneTasksOfOwner({ ownerId: ada.id });
  out.findUser = await r.users.findUserByEmail({ email: 'ada@example.com' });
  out.findIdentity = await r.userIdentities.findIdentityByProviderSubject({ provider: 'google', subject: 'g-1' });
  out.identitiesOfAda = await r.userIdentities.listIdentitiesOfUser({ userId: ada.id });
  out.deleted = [await r.tasks.delete(tasks[2].id), await r.tasks.delete(tasks[2].id)];
  out.cascade = [await r.users.delete(grace.id), await r.tasks.get('00000000-0000-0000-0000-0000000000aa'), await r.userIdentities.count()];
  return out;
}

describe('the same operations on PostgreSQL and SQLite', () => {
  const databases = new Map<string, ContractDatabase>();
  before(async () => {
    for (const dialect of DIALECTS) databases.set(dialect, await openContractDatabase(dialect));
  });
  after(async () => {
    for (const db of databases.values()) await db.close();
  });

  it('give equal results, ids and timestamps aside', async () => {
    const results = [];
    for (const dialect of DIALECTS) {
      const h = databases.get(dialect)!;
      // Autocommit: the errors the sequence provokes would abort a transaction on PostgreSQL.
      const raw = await sequence(h.repos);
      const stamps = (raw.tasks as { createdAt: Date; updatedAt: Date }[]).every((t) => t.createdAt instanceof Date && t.updatedAt.getTime() === t.createdAt.getTime());
      results.push({ dialect, stamps, result: normalise(raw, new Map()) });
    }
    const [postgres, sqlite] = results;
    assert.equal(postgres.stamps, true);
    assert.equal(sqlite.stamps, true);
    assert.deepEqual(sqlite.result, postgres.result);
    // Not vacuous: the sequence saw what it set out to see.
    const r = postgres.result as Record<string, any>;
    assert.deepEqual(r.byStatus, [{ status: 'doing', total: '2' }, { status: 'done', total: '2' }]);
    assert.deepEqual(r.pages, [['gamma', 'delta'], ['alpha', 'upserted again'], ['beta']]);
    assert.deepEqual(r.cascade, [true, null, 1]);
    assert.equal(r.duplicate.error, 'ConflictError');
    assert.equal(r.orphan.error, 'ForeignKeyError');
    assert.equal(r.checkViolation.error, 'CheckViolationError');
    assert.deepEqual(r.tasks.map((t: { estimate: string | null }) => t.estimate), ['12.30', '7.00', '0.01', null]);
  });
});
