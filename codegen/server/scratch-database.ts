import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Migrator } from '../../src/migrate/migrator.js';
import { withDatabase } from './discovery.js';

/**
 * Throwaway databases on a found server, for codegen (codegen/database.ts) and the tests (test/support/database.ts):
 * one statement on an admin connection, a fresh database with a unique name, migrations applied to it.
 */

/** Runs one statement on a connection of its own. */
export async function adminQuery(url: string, sql: string, values?: unknown[]): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, values);
  } finally {
    await client.end();
  }
}

export interface ScratchDatabase {
  name: string;
  url: string;
  /** Drops the database, terminating connections still open to it. */
  drop(): Promise<void>;
}

/** A new empty database `<prefix>_<pid>_<random>` on the server of `adminUrl`: unique across parallel processes. */
export async function createScratchDatabase(adminUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  return {
    name,
    url: withDatabase(adminUrl, name),
    drop: async () => {
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Applies the migrations of `schemaDir` to the database at `url` with the migrator. */
export async function migrate(url: string, schemaDir: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await new Migrator(client, { dir: schemaDir }).up();
  } finally {
    await client.end();
  }
}
