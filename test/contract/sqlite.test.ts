import { repositorySuite } from './repositories-suite.js';

/** The repository contract on SQLite: an in-memory database with generated/sqlite/schema.sql. */
repositorySuite('sqlite');
