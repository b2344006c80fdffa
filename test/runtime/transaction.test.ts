import { createMigratedDatabase, type TestDatabase } from '../support/database.js';
import { transactionSuite } from '../support/suites/transaction-suite.js';

let tdb: TestDatabase;
transactionSuite('transactions (direct)', {
  setUp: async () => {
    tdb = await createMigratedDatabase();
    return { url: tdb.url };
  },
  tearDown: () => tdb.drop(),
});
