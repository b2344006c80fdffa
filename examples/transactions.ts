// Transactions: commit on success, rollback on error, savepoints for nested work, and retry of
// serialization failures.
import { SerializationError } from '../src/index.js';
import { openExampleDatabase, runId } from './open.js';

const db = await openExampleDatabase();
try {
  const owner = await db.repositories.users.create({ firstName: 'Tx', lastName: `Demo ${runId}` });
  const countTasks = () => db.repositories.tasks.count({ ownerId: owner.id });

  await db.transaction(async (repos) => {
    await repos.tasks.create({ title: 'committed', ownerId: owner.id });
  });
  console.log(`commit: ${await countTasks()} task`);

  try {
    await db.transaction(async (repos) => {
      await repos.tasks.create({ title: 'never seen', ownerId: owner.id });
      throw new Error('something failed after the write');
    });
  } catch (error) {
    console.log(`rollback: "${(error as Error).message}" -> still ${await countTasks()} task`);
  }

  await db.transaction(async (repos) => {
    await repos.tasks.create({ title: 'outer', ownerId: owner.id });
    try {
      await db.transaction(async (inner) => {
        await inner.tasks.create({ title: 'inner', ownerId: owner.id });
        throw new Error('inner step failed');
      });
    } catch {
      console.log('savepoint: the inner step rolled back, the outer transaction goes on');
    }
  });
  console.log(`after savepoint: ${await countTasks()} tasks`);

  // Two serializable transactions that each read then write the same set: on PostgreSQL one of them fails
  // with a serialization failure and is retried; SQLite runs transactions one at a time, so none fails.
  let attempts = 0;
  const bump = () =>
    db.transaction(
      async (repos, tx) => {
        attempts++;
        const n = await repos.tasks.count({ ownerId: owner.id });
        await new Promise((r) => setTimeout(r, 50));
        await repos.tasks.create({ title: `task #${n + 1}`, ownerId: owner.id });
        return tx.dialect;
      },
      { isolation: 'serializable', retry: { attempts: 5 } },
    );
  await Promise.all([bump(), bump()]);
  console.log(`serializable: 2 transactions committed in ${attempts} attempts (${attempts > 2 ? 'a serialization failure was retried' : 'no conflict'})`);

  const outcomes = await Promise.allSettled([0, 1].map(() => db.transaction(async (repos) => {
    await repos.tasks.count({ ownerId: owner.id });
    await new Promise((r) => setTimeout(r, 50));
    await repos.tasks.create({ title: 'no retry', ownerId: owner.id });
  }, { isolation: 'serializable' })));
  const failure = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult | undefined;
  console.log(failure
    ? `without retry: ${failure.reason instanceof SerializationError ? 'SerializationError' : (failure.reason as Error).name} (HTTP 409: retry the request)`
    : 'without retry: both committed');
  console.log(`final: ${await countTasks()} tasks`);
} finally {
  await db.close();
}
