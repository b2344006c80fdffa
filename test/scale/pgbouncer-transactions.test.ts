import { createMigratedDatabase, testServer, type TestDatabase } from '../support/database.js';
import { TestPgBouncer } from '../support/pgbouncer.js';
import { transactionSuite } from '../support/suites/transaction-suite.js';

// The same transaction suite as test/runtime/transaction.test.ts, through a real PgBouncer in transaction mode.
let tdb: TestDatabase;
let bouncer: TestPgBouncer;
transactionSuite('transactions (through PgBouncer, transaction mode)', {
  setUp: async () => {
    tdb = await createMigratedDatabase();
    bouncer = await TestPgBouncer.start({ serverUrl: (await testServer()).adminUrl, poolSize: 4 });
    return { url: bouncer.url(tdb.name), config: { pgbouncer: true } };
  },
  tearDown: async () => {
    await bouncer.stop();
    await tdb.drop();
  },
});
