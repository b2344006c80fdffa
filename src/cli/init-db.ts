import { parseArgs } from 'node:util';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { loadConfig, type DatabaseConfig } from '../config/load.js';
import { openDatabase } from '../database.js';
import { createJsonLogger } from '../log.js';
import type { OwnerRoleRequest } from '../migrate/owner-role.js';
import { ensureSchema, packageSchemaDir } from '../setup.js';
import { redactUrl } from '../redact.js';
import { makePlan, planProblems, type ProvisionPlan } from '../provision/plan.js';
import { provision } from '../provision/provision.js';
import { consoleLogger, type ConnectAdmin } from '../provision/report.js';
import { clientConfigOf, connectClient } from './connect.js';
import { configuredDatabases, databaseNameOf, type ConfiguredDatabases } from './configured-databases.js';
import { migrateUp, ownerRoleRequest } from './migrate.js';

const USAGE = `usage: npm run init-db -- [--provision] [options]
  --provision            create databases, roles, grants (run with an admin connection); idempotent
  (without --provision)  apply pending migrations as the owner role (SET ROLE); on SQLite, create the tables

  --admin-url URL        admin connection (default DATABASE_ADMIN_URL, else the libpq defaults PGHOST, PGUSER, ...)
  --url URL              the database to create the tables in (default DATABASE_URL, else database.url of
                         config.yaml / CONFIG_FILE, else the admin connection on the application database)
  --databases a,b,c      application database first, then Temporal's (default: the databases of config.yaml,
                         else appdb,temporal,temporal_visibility)
  --owner NAME           NOLOGIN owner role (default DATABASE_OWNER_ROLE, else appowner); without --provision,
                         when the default appowner does not exist the migrations run as the login, and it says so
  --app-user NAME        application login (default appuser)
  --backup-user NAME     read-only backup login (default backupuser)
  --temporal-owner NAME  existing role to own the Temporal databases (default: the admin login keeps them)
  --schema DIR           migrations directory (default sqlwright's own sql/schema)
  --sqlite-schema FILE   SQLite: the schema to run (default sqlwright's generated/sqlite/schema.sql)

  With a sqlite: URL (--url, DATABASE_URL or config.yaml) init-db creates the tables from the generated SQLite
  schema (every statement IF NOT EXISTS, so it is safe to run again); --provision is PostgreSQL-only.

  Passwords come only from files: APPUSER_PASSWORD_FILE, BACKUPUSER_PASSWORD_FILE (e.g. /run/secrets/...).`;

/** Where the tables go: a URL, and the configured database it came from (for its password file and TLS). */
export interface InitDbTarget {
  url: string;
  config?: DatabaseConfig;
}

export interface InitDbOptions {
  provision: boolean;
  /** Undefined: the libpq defaults. */
  adminUrl?: string;
  /** --url, else the configured application database; undefined: the admin connection on the application database. */
  target?: InitDbTarget;
  schemaDir: string;
  /** SQLite: the schema file; undefined: sqlwright's generated/sqlite/schema.sql. */
  sqliteSchema?: string;
  plan: ProvisionPlan;
  /** Who runs the migrations; its name is plan.owner. */
  owner: OwnerRoleRequest;
}

/** Database names from the configuration: the application's URL, then each of `databases:` (its URL's, else its key). */
function configuredNames({ app, others }: ConfiguredDatabases): { appDatabase?: string; temporalDatabases?: string[] } {
  const postgres = others.filter((d) => !d.url.startsWith('sqlite:'));
  return {
    appDatabase: app && databaseNameOf(app.url),
    temporalDatabases: postgres.length > 0 ? postgres.map((d) => databaseNameOf(d.url) ?? d.name) : undefined,
  };
}

/**
 * Turns argv, the environment and config.yaml into options; the one place that reads them, so another
 * caller can build the same {@link ProvisionPlan}. Flags win over the environment, which wins over the file.
 * @returns the options, or `{ usage }` with a message for help (exit 0) or a mistake (exit 2).
 */
export function parseInitDbArgs(argv: string[], env: NodeJS.ProcessEnv): InitDbOptions | { usage: string; exitCode: number } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        provision: { type: 'boolean', default: false },
        'admin-url': { type: 'string' },
        url: { type: 'string' },
        databases: { type: 'string' },
        owner: { type: 'string' },
        'app-user': { type: 'string' },
        'backup-user': { type: 'string' },
        'temporal-owner': { type: 'string' },
        schema: { type: 'string' },
        'sqlite-schema': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { usage: `init-db: ${(error as Error).message}\n${USAGE}`, exitCode: 2 };
  }
  const { values, positionals } = parsed;
  if (values.help) return { usage: USAGE, exitCode: 0 };
  // Not echoed: a stray argument may well be a password typed on the command line.
  if (positionals.length > 0) return { usage: `init-db: takes no positional arguments (passwords go in files)\n${USAGE}`, exitCode: 2 };
  let configured: ConfiguredDatabases;
  try {
    configured = configuredDatabases(env);
  } catch (error) {
    return { usage: `init-db: ${(error as Error).message}`, exitCode: 2 };
  }
  const databases = values.databases?.split(',').map((d) => d.trim()).filter(Boolean);
  if (databases && databases.length === 0) return { usage: `init-db: --databases names no database\n${USAGE}`, exitCode: 2 };
  const fromConfig = configuredNames(configured);
  const owner = ownerRoleRequest(values.owner, env);
  const plan = makePlan({
    appDatabase: databases?.[0] ?? fromConfig.appDatabase,
    temporalDatabases: databases?.slice(1) ?? fromConfig.temporalDatabases,
    owner: owner.name,
    temporalOwner: values['temporal-owner'],
    appUser: { name: values['app-user'], passwordFile: env.APPUSER_PASSWORD_FILE || undefined },
    backupUser: { name: values['backup-user'], passwordFile: env.BACKUPUSER_PASSWORD_FILE || undefined },
  });
  const problems = planProblems(plan);
  if (problems.length > 0) return { usage: `init-db: ${problems.join('; ')}`, exitCode: 2 };
  const target = values.url !== undefined ? { url: values.url } : configured.app && { url: configured.app.url, config: configured.app };
  return {
    provision: values.provision!,
    adminUrl: values['admin-url'] ?? (env.DATABASE_ADMIN_URL || undefined),
    target,
    schemaDir: values.schema === undefined ? packageSchemaDir() : path.resolve(values.schema),
    sqliteSchema: values['sqlite-schema'] === undefined ? undefined : path.resolve(values['sqlite-schema']),
    plan,
    owner,
  };
}

function onDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

function clientConfig(url: string | undefined, database?: string): pg.ClientConfig {
  if (url === undefined) return database ? { database } : {};
  return { connectionString: database ? onDatabase(url, database) : url };
}

/** Migrations on PostgreSQL: the target, else the admin connection on the application database. */
async function migrate(options: InitDbOptions): Promise<void> {
  const { target } = options;
  const connection = target?.config ? clientConfigOf(target.config) : target ? clientConfig(target.url) : clientConfig(options.adminUrl, options.plan.appDatabase);
  const client = await connectClient(connection);
  try {
    await migrateUp(client, { dir: options.schemaDir, owner: options.owner });
  } finally {
    await client.end();
  }
}

/** SQLite: open the file (created when missing) and run the generated schema through ensureSchema. */
async function initSqlite(url: string, sqliteSchemaFile: string | undefined): Promise<void> {
  const config = loadConfig({ values: { database: { url } }, env: { APP_ENV: 'development' } });
  const db = openDatabase(config, { logger: createJsonLogger({ level: 'warn' }) });
  try {
    const applied = await ensureSchema(db, { sqliteSchemaFile });
    console.log(`applied ${applied.join(', ')} to ${redactUrl(url)} (SQLite; tables created if missing)`);
  } finally {
    await db.close();
  }
}

function warnAboutPasswordVariables(env: NodeJS.ProcessEnv): void {
  for (const name of ['APPUSER_PASSWORD', 'BACKUPUSER_PASSWORD']) {
    if (env[name] !== undefined) console.warn(`warning: ${name} is ignored: put the password in a file and set ${name}_FILE`);
  }
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const options = parseInitDbArgs(argv, env);
  if ('usage' in options) {
    (options.exitCode === 0 ? console.log : console.error)(options.usage);
    return options.exitCode;
  }
  const sqliteUrl = [options.target?.url, options.adminUrl].find((url) => url?.startsWith('sqlite:'));
  if (sqliteUrl !== undefined && options.provision) {
    console.error('init-db: --provision creates PostgreSQL databases, roles and grants; SQLite has none of these. Run `init-db` without --provision to create the SQLite tables.');
    return 2;
  }
  try {
    if (sqliteUrl !== undefined) {
      await initSqlite(sqliteUrl, options.sqliteSchema);
    } else if (options.provision) {
      warnAboutPasswordVariables(env);
      const connect: ConnectAdmin = (database) => connectClient(clientConfig(options.adminUrl, database));
      await provision(connect, options.plan, consoleLogger);
    } else {
      await migrate(options);
    }
    return 0;
  } catch (error) {
    console.error(`init-db: ${(error as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
