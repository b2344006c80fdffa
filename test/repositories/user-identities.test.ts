import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Repositories, type User } from '../../generated/index.js';
import { ConflictError, ForeignKeyError, NotFoundError, ValidationError } from '../../src/errors.js';
import { createMigratedDatabase, type TestDatabase } from '../support/database.js';
import { PgExecutor } from '../support/pg-executor.js';

describe('UserIdentityRepository against PostgreSQL', () => {
  let db: TestDatabase;
  let executor: PgExecutor;
  let repos: Repositories;
  let user: User;

  before(async () => {
    db = await createMigratedDatabase();
    executor = await PgExecutor.connect(db.url);
    repos = new Repositories(executor);
    user = await repos.users.create({ firstName: 'Ada', lastName: 'Lovelace' });
  });
  after(async () => {
    await executor.end();
    await db.drop();
  });

  it('create, get, getOrThrow, getMany, update, delete', async () => {
    const identity = await repos.userIdentities.create({ userId: user.id, provider: 'google', subject: 'g-1', email: 'ada@gmail.com' });
    assert.deepEqual(Object.keys(identity), ['id', 'userId', 'provider', 'subject', 'email', 'createdAt', 'updatedAt']);
    assert.deepEqual(await repos.userIdentities.get(identity.id), identity);
    assert.deepEqual(await repos.userIdentities.getOrThrow(identity.id), identity);
    assert.deepEqual(await repos.userIdentities.getMany([identity.id]), [identity]);
    const updated = await repos.userIdentities.update(identity.id, { email: null });
    assert.equal(updated.email, null);
    assert.ok(updated.updatedAt >= identity.updatedAt);
    assert.equal(await repos.userIdentities.delete(identity.id), true);
    await assert.rejects(() => repos.userIdentities.update(identity.id, { email: 'x' }), NotFoundError);
  });

  it('the (provider, subject) unique key: ConflictError on create, upsert on it by default', async () => {
    await repos.userIdentities.create({ userId: user.id, provider: 'keycloak', subject: 'k-1' });
    await assert.rejects(
      () => repos.userIdentities.create({ userId: user.id, provider: 'keycloak', subject: 'k-1' }),
      (error: unknown) => error instanceof ConflictError && error.columns.join() === 'provider,subject',
    );
    const upserted = await repos.userIdentities.upsert({ userId: user.id, provider: 'keycloak', subject: 'k-1', email: 'new@example.com' });
    assert.equal(upserted.email, 'new@example.com');
    assert.equal(await repos.userIdentities.count({ provider: 'keycloak' }), 1);
  });

  it('a missing user is a ForeignKeyError; a bad user id never reaches the database', async () => {
    await assert.rejects(
      () => repos.userIdentities.create({ userId: '00000000-0000-0000-0000-000000000009', provider: 'google', subject: 'orphan' }),
      ForeignKeyError,
    );
    const sent = executor.sent.length;
    await assert.rejects(() => repos.userIdentities.create({ userId: 'x', provider: 'google', subject: 's' }), ValidationError);
    assert.equal(executor.sent.length, sent);
  });

  it('createMany, list with where, and the named queries', async () => {
    const other = await repos.users.create({ firstName: 'Grace', lastName: 'Hopper' });
    const made = await repos.userIdentities.createMany([
      { userId: other.id, provider: 'microsoft', subject: 'm-1' },
      { userId: other.id, provider: 'google', subject: 'g-2', email: 'grace@gmail.com' },
    ]);
    const page = await repos.userIdentities.list({ where: { userId: other.id }, orderBy: { field: 'provider' } });
    assert.deepEqual(page.rows.map((r) => r.provider), ['google', 'microsoft']);
    assert.deepEqual(await repos.userIdentities.findIdentityByProviderSubject({ provider: 'google', subject: 'g-2' }), [made[1]]);
    assert.deepEqual(await repos.userIdentities.listIdentitiesOfUser({ userId: other.id }), [made[1], made[0]]);
  });
});
