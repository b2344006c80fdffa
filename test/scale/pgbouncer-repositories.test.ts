import { openContractDatabase } from '../contract/harness.js';
import { repositorySuite } from '../contract/repositories-suite.js';
import { testServer } from '../support/database.js';
import { TestPgBouncer } from '../support/pgbouncer.js';

// The repository contract of test/contract/postgres.test.ts, through a real PgBouncer in transaction mode.
repositorySuite('postgres', () =>
  openContractDatabase('postgres', async (database) => {
    const bouncer = await TestPgBouncer.start({ serverUrl: (await testServer()).adminUrl, poolSize: 2 });
    return { url: bouncer.url(database.name), config: { pgbouncer: true }, close: () => bouncer.stop() };
  }),
);
