import path from 'node:path';
import { fileURLToPath } from 'node:url';
// One discovery and one way to make scratch databases, for the tests and codegen (codegen/server/).
import { discoverServer as discover, withDatabase, type DiscoveryOptions, type FoundServer } from '../../codegen/server/discovery.js';
import { adminQuery, createScratchDatabase, migrate as migrateTo, type ScratchDatabase } from '../../codegen/server/scratch-database.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCHEMA_DIR = path.join(REPO_ROOT, 'sql/schema');

/** Where the test PostgreSQL came from, and an admin URL on it (database `postgres` or the one given). */
export type TestServer = FoundServer;

export const NO_DATABASE_MESSAGE = `No PostgreSQL server for the tests. Provide one of:
  1. TEST_DATABASE_URL=postgresql://user:password@host:port/db (a role that may CREATE DATABASE);
  2. a server reachable through the libpq defaults (PGHOST/PGPORT/PGUSER, else 127.0.0.1:5432 as postgres),
     e.g. on Debian: apt-get install postgresql && pg_ctlcluster <version> main start;
  3. a Docker engine, for testcontainers (postgres:15-alpine);
  4. PostgreSQL server binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/<version>/bin, for a
     throwaway cluster (apt-get install postgresql).`;

/**
 * Finds a PostgreSQL for the tests, in order: TEST_DATABASE_URL, the libpq defaults, testcontainers,
 * a throwaway initdb cluster. Never skips: with none it fails with {@link NO_DATABASE_MESSAGE}.
 */
export async function discoverServer(options: Omit<DiscoveryOptions, 'urlVariables'> = {}): Promise<TestServer> {
  const server = await discover({ ...options, urlVariables: ['TEST_DATABASE_URL'] });
  if (!server) throw new Error(NO_DATABASE_MESSAGE);
  return server;
}

let serverPromise: Promise<TestServer> | undefined;

/** The process-wide test server, discovered once. */
export function testServer(): Promise<TestServer> {
  serverPromise ??= discoverServer();
  return serverPromise;
}

export type TestDatabase = ScratchDatabase;

export { adminQuery, withDatabase };

/** A fresh, empty database of this test file's own, so files run in parallel without sharing rows. */
export async function createTestDatabase(prefix = 'sqlwright_test'): Promise<TestDatabase> {
  return createScratchDatabase((await testServer()).adminUrl, prefix);
}

/** Applies sql/schema (or `dir`) to a database with the migrator. */
export function migrate(url: string, dir = SCHEMA_DIR): Promise<void> {
  return migrateTo(url, dir);
}

/** A fresh database with the app schema applied. */
export async function createMigratedDatabase(prefix?: string): Promise<TestDatabase> {
  const db = await createTestDatabase(prefix);
  await migrate(db.url);
  return db;
}
