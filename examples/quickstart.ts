// npm run example: create a user, link an OIDC identity, create and list tasks.
import { openExampleDatabase, runId } from './open.js';

const db = await openExampleDatabase();
try {
  const { user, tasks } = await db.transaction(async (repos) => {
    const user = await repos.users.create({ firstName: 'Ada', lastName: 'Lovelace', email: `ada+${runId}@example.com` });
    await repos.userIdentities.create({ userId: user.id, provider: 'google', subject: `google-${runId}`, email: user.email });
    const tasks = await repos.tasks.createMany([
      { title: 'Write the first migration', ownerId: user.id, priority: 3, labels: ['schema'], dueAt: new Date(Date.now() + 86_400_000) },
      { title: 'Run npm run codegen', ownerId: user.id, priority: 2, estimate: '1.50', metadata: { tool: 'codegen' } },
      { title: 'Read the pool docs', ownerId: user.id, status: 'done' },
    ]);
    return { user, tasks };
  });
  console.log(`created user ${user.firstName} ${user.lastName} <${user.email}> (${user.id})`);

  const identity = await db.repositories.userIdentities.findIdentityByProviderSubject({ provider: 'google', subject: `google-${runId}` });
  console.log(`linked identity ${identity[0].provider}/${identity[0].subject} -> user ${identity[0].userId === user.id ? 'ok' : 'MISMATCH'}`);

  console.log(`created ${tasks.length} tasks`);
  const open = await db.repositories.tasks.listOpenTasksOfOwner({ ownerId: user.id });
  console.log('open tasks, by due date:');
  for (const task of open) {
    console.log(`  - [${task.status}] ${task.title} (priority ${task.priority}${task.dueAt ? `, due ${task.dueAt.toISOString().slice(0, 10)}` : ''}${task.labels.length ? `, labels ${task.labels.join(',')}` : ''})`);
  }
  const counts = await db.repositories.tasks.countTasksByStatus({ ownerId: user.id });
  console.log(`tasks by status: ${counts.map((c) => `${c.status}=${c.total}`).join(' ')}`);
  console.log(`pool: ${JSON.stringify(db.poolStatus())}`);
} finally {
  await db.close();
}
