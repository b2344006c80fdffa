import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from './database.js';
import { Migrator } from './migrate/migrator.js';
import { ownerRoleRequest, resolveMigrationRole } from './migrate/owner-role.js';
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
  /**
   * PostgreSQL: the owner role the migrations run as (SET ROLE); default DATABASE_OWNER_ROLE, else `appowner`
   * where it exists and may create in this database, else the login: the same decision as `migrate up`.
   */
  role?: string;
  /** Where DATABASE_OWNER_ROLE and APP_ENV come from; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Creates the tables if needed: on PostgreSQL applies pending migrations (ledger, checksums, advisory lock)
 * as the owner role, as `migrate up` would; on SQLite runs the generated schema, whose statements are all
 * `IF NOT EXISTS`. Returns what was applied.
 * @throws OwnerRoleError as `migrate up` does (e.g. APP_ENV=production and no usable owner role).
 * @throws MigrationFailedError, MigrationVerifyError, MigrationLockTimeoutError from the migrator.
 */
export async function ensureSchema(db: Database<unknown>, options: EnsureSchemaOptions = {}): Promise<string[]> {
  if (db.dialect === 'sqlite') {
    const file = options.sqliteSchemaFile ?? packageSqliteSchemaFile();
    await db.exec(readFileSync(file, 'utf8'));
    return [path.basename(file)];
  }
  const dir = options.schemaDir ?? packageSchemaDir();
  // The migrator needs one connection for its advisory lock and per-file transactions: a session is that.
  const owner = ownerRoleRequest(options.role, options.env ?? process.env);
  const applied = await db.session(async (_repos, session) => {
    const check = new Migrator(session, { dir });
    if ((await check.status()).pending.length === 0) {
      // Up to date, as at every start of a running service: no owner needed (the login may well be appuser,
      // which cannot SET ROLE appowner), but an edited applied file still fails here.
      await check.verify();
      return [];
    }
    // Silent where the CLI prints its note: a library does not write to stdout.
    const { role } = await resolveMigrationRole(session, owner);
    return new Migrator(session, { dir, role }).up();
  });
  return applied.map((f) => f.fileName);
}
