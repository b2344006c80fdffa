import { parseArgs } from 'node:util';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { loadConfig, type DatabaseConfig } from '../config/load.js';
import { openDatabase } from '../database.js';
import { createJsonLogger } from '../log.js';
import { ownerRoleRequest, type OwnerRoleRequest } from '../migrate/owner-role.js';
import { ensureSchema, packageSchemaDir } from '../setup.js';
import { isSqliteUrl } from '../dialect/sqlite/url.js';
import { redactUrl } from '../redact.js';
import { makePlan, planProblems, type ProvisionPlan } from '../provision/plan.js';
import { provision } from '../provision/provision.js';
import { consoleLogger, type ConnectAdmin } from '../provision/report.js';
import { clientConfigOf, connectClient } from './connect.js';
import { configuredDatabases, databaseNameOf, type ConfiguredDatabases } from './configured-databases.js';
import { migrateUp } from './migrate.js';

const USAGE = `usage: npm run init-db -- [--provision] [options]
  (without --provision)  create the tables in the application's database: on PostgreSQL apply pending
                         migrations as the owner role (SET ROLE), on SQLite run the generated schema
  --provision            create databases, roles, grants (run with an admin connection); idempotent

  --url URL              the database to create the tables in; replaces only the URL of the configuration
                         (default DATABASE_URL, else database.url of config.yaml / CONFIG_FILE, else in
                         development sqlite:///./database.db); its password_file and ssl settings still apply
  --admin-url URL        --provision: admin connection (default DATABASE_ADMIN_URL, else the libpq defaults PGHOST, PGUSER, ...)
  --databases a,b,c      --provision: application database first, then Temporal's (default: the databases of
                         config.yaml, else appdb,temporal,temporal_visibility)
  --role NAME            NOLOGIN owner role (default DATABASE_OWNER_ROLE, else appowner; --owner is the same);
                         without --provision, when the default appowner does not exist or may not create in
                         this database, the migrations run as the login, and it says so (not in production)
  --app-user NAME        application login (default appuser)
  --backup-user NAME     read-only backup login (default backupuser)
  --temporal-owner NAME  existing role to own the Temporal databases (default: the admin login keeps them)
  --schema DIR           migrations directory (default sqlwright's own sql/schema)
  --sqlite-schema FILE   SQLite: the schema to run (default sqlwright's generated/sqlite/schema.sql)

  With a sqlite: URL init-db creates the tables from the generated SQLite schema (every statement
  IF NOT EXISTS, so it is safe to run again); --provision is PostgreSQL-only.
  Passwords come only from files: APPUSER_PASSWORD_FILE, BACKUPUSER_PASSWORD_FILE (e.g. /run/secrets/...).
  Exit status: 0 done, 1 failed (the database, the configuration), 2 wrong usage (flags, arguments).`;

export interface InitDbOptions {
  provision: boolean;
  /** Undefined: the libpq defaults. */
  adminUrl?: string;
  /** Where the tables go, as the application opens it (--url replacing only its URL). */
  target: DatabaseConfig;
  /** The target is the development default (./database.db): nothing named a database. */
  targetIsDefault: boolean;
  schemaDir: string;
  /** SQLite: the schema file; undefined: sqlwright's generated/sqlite/schema.sql. */
  sqliteSchema?: string;
  plan: ProvisionPlan;
  /** Who runs the migrations; its name is plan.owner. */
  owner: OwnerRoleRequest;
}

/** Why init-db stops before doing anything: help (exit 0), a usage mistake (2) or a bad configuration (1). */
export interface InitDbStop {
  message: string;
  exitCode: number;
}

/** Database names from the configuration: the application's URL, then each of `databases:` (its URL's, else its key). */
function configuredNames({ app, appIsDefault, others }: ConfiguredDatabases): { appDatabase?: string; temporalDatabases?: string[] } {
  const postgres = others.filter((d) => !isSqliteUrl(d.url));
  return {
    appDatabase: appIsDefault ? undefined : databaseNameOf(app.url),
    temporalDatabases: postgres.length > 0 ? postgres.map((d) => databaseNameOf(d.url) ?? d.name) : undefined,
  };
}

/**
 * Provisioning reads the configuration only for database names and connects with the admin URL alone, so the
 * production rules about connecting to the configured URLs (one is required, with TLS) do not apply to it.
 */
function provisioningEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env.APP_ENV === 'production' ? { ...env, APP_ENV: 'test' } : env;
}

function usageError(message: string): InitDbStop {
  return { message: `init-db: ${message}\n${USAGE}`, exitCode: 2 };
}

/**
 * Turns argv, the environment and config.yaml into options; the one place that reads them, so another
 * caller can build the same {@link ProvisionPlan}. Flags win over the environment, which wins over the file.
 * @returns the options, or why to stop: help (exit 0), a usage mistake (2), a bad configuration (1).
 */
export function parseInitDbArgs(argv: string[], env: NodeJS.ProcessEnv): InitDbOptions | InitDbStop {
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
        role: { type: 'string' },
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
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { message: USAGE, exitCode: 0 };
  // Not echoed: a stray argument may well be a password typed on the command line.
  if (positionals.length > 0) return usageError('takes no positional arguments (passwords go in files)');
  if (values.url === '') return usageError('--url is empty');
  if (values.role !== undefined && values.owner !== undefined && values.role !== values.owner) {
    return usageError('--role and --owner name the same thing: give one');
  }
  const databases = values.databases?.split(',').map((d) => d.trim()).filter(Boolean);
  if (databases && databases.length === 0) return usageError('--databases names no database');
  let configured: ConfiguredDatabases;
  try {
    configured = configuredDatabases(values.provision ? provisioningEnv(env) : env, values.url);
  } catch (error) {
    return { message: `init-db: ${(error as Error).message}`, exitCode: 1 };
  }
  const fromConfig = configuredNames(configured);
  const owner = ownerRoleRequest(values.role ?? values.owner, env);
  const plan = makePlan({
    appDatabase: databases?.[0] ?? fromConfig.appDatabase,
    temporalDatabases: databases?.slice(1) ?? fromConfig.temporalDatabases,
    owner: owner.name,
    temporalOwner: values['temporal-owner'],
    appUser: { name: values['app-user'], passwordFile: env.APPUSER_PASSWORD_FILE || undefined },
    backupUser: { name: values['backup-user'], passwordFile: env.BACKUPUSER_PASSWORD_FILE || undefined },
  });
  const problems = planProblems(plan);
  if (problems.length > 0) return usageError(problems.join('; '));
  return {
    provision: values.provision!,
    adminUrl: values['admin-url'] ?? (env.DATABASE_ADMIN_URL || undefined),
    target: configured.app,
    targetIsDefault: configured.appIsDefault,
    schemaDir: values.schema === undefined ? packageSchemaDir() : path.resolve(values.schema),
    sqliteSchema: values['sqlite-schema'] === undefined ? undefined : path.resolve(values['sqlite-schema']),
    plan,
    owner,
  };
}

function adminClientConfig(url: string | undefined, database?: string): pg.ClientConfig {
  if (url === undefined) return database ? { database } : {};
  const u = new URL(url);
  if (database) u.pathname = `/${encodeURIComponent(database)}`;
  return { connectionString: u.toString() };
}

/** Migrations on PostgreSQL, connected as the application would be (password file, TLS). */
async function migrate(options: InitDbOptions): Promise<void> {
  const client = await connectClient(clientConfigOf(options.target));
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
  if (url === 'sqlite::memory:') {
    console.warn('warning: an in-memory database lives only in the process that opens it: these tables are gone now; use a file URL such as sqlite:///./database.db to keep them');
  }
}

function warnAboutPasswordVariables(env: NodeJS.ProcessEnv): void {
  for (const name of ['APPUSER_PASSWORD', 'BACKUPUSER_PASSWORD']) {
    if (env[name] !== undefined) console.warn(`warning: ${name} is ignored: put the password in a file and set ${name}_FILE`);
  }
}

const PROVISION_ON_SQLITE =
  'init-db: --provision creates PostgreSQL databases, roles and grants; SQLite has none of these. Run `init-db` without --provision to create the SQLite tables.';

/** `npm run init-db` / `npx sqlwright init-db`. Exit 0 done, 1 failed (database, configuration), 2 usage. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const options = parseInitDbArgs(argv, env);
  if ('message' in options) {
    (options.exitCode === 0 ? console.log : console.error)(options.message);
    return options.exitCode;
  }
  const { target } = options;
  if (options.provision) {
    // The development default is no request for SQLite: provisioning then names the design's databases.
    const sqlite = (options.adminUrl !== undefined && isSqliteUrl(options.adminUrl)) || (!options.targetIsDefault && isSqliteUrl(target.url));
    if (sqlite) {
      console.error(PROVISION_ON_SQLITE);
      return 2;
    }
  }
  try {
    if (options.provision) {
      warnAboutPasswordVariables(env);
      const connect: ConnectAdmin = (database) => connectClient(adminClientConfig(options.adminUrl, database));
      await provision(connect, options.plan, consoleLogger);
    } else if (isSqliteUrl(target.url)) {
      await initSqlite(target.url, options.sqliteSchema);
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
