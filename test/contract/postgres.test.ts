import { repositorySuite } from './repositories-suite.js';

/** The repository contract on PostgreSQL: a fresh migrated database of the test server. */
repositorySuite('postgres');
