import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from './database.js';
import { Migrator } from './migrate/migrator.js';
import { packageRoot } from './package-root.js';

/** sqlwright's own migrations, the schema its generated repositories are built for (not the working directory's). */
export function packageSchemaDir(): string {
  return path.join(packageRoot(), 'sql/schema');
}

/** The SQLite form of {@link packageSchemaDir}, emitted by codegen. */
export function packageSqliteSchemaFile(): string {
  return path.join(packageRoot(), 'generated/sqlite/schema.sql');
}

export interface EnsureSchemaOptions {
  /** PostgreSQL migrations; default sqlwright's `sql/schema`. */
  schemaDir?: string;
  /** The SQLite form of the schema; default sqlwright's `generated/sqlite/schema.sql`. */
  sqliteSchemaFile?: string;
  /** PostgreSQL: run the migrations as this role (the schema owner), as init-db does. */
  role?: string;
}

/**
 * Creates the tables if needed: on PostgreSQL applies pending migrations (ledger, checksums, advisory lock);
 * on SQLite runs the generated schema, whose statements are all `IF NOT EXISTS`. Returns what was applied.
 */
export async function ensureSchema(db: Database<unknown>, options: EnsureSchemaOptions = {}): Promise<string[]> {
  if (db.dialect === 'sqlite') {
    const file = options.sqliteSchemaFile ?? packageSqliteSchemaFile();
    await db.exec(readFileSync(file, 'utf8'));
    return [path.basename(file)];
  }
  const dir = options.schemaDir ?? packageSchemaDir();
  // The migrator needs one connection for its advisory lock and per-file transactions: a session is that.
  const applied = await db.session((_repos, session) => new Migrator(session, { dir, role: options.role }).up());
  return applied.map((f) => f.fileName);
}
