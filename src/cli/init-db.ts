import { parseArgs } from 'node:util';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../config/load.js';
import { openDatabase } from '../database.js';
import { createJsonLogger } from '../log.js';
import { Migrator } from '../migrate/migrator.js';
import { ensureSchema } from '../setup.js';
import { redactUrl } from '../redact.js';
import { makePlan, planProblems, type ProvisionPlan } from '../provision/plan.js';
import { provision } from '../provision/provision.js';
import { consoleLogger, type ConnectAdmin } from '../provision/report.js';

const USAGE = `usage: npm run init-db -- [--provision] [options]
  --provision            create databases, roles, grants (run with an admin connection); idempotent
  (without --provision)  apply pending migrations in sql/schema as the owner role (SET ROLE)

  --admin-url URL        admin connection (default DATABASE_ADMIN_URL, else the libpq defaults PGHOST, PGUSER, ...)
  --url URL              migration connection (default DATABASE_URL, else the admin URL on the application database)
  --databases a,b,c      application database first, then Temporal's (default appdb,temporal,temporal_visibility)
  --owner NAME           NOLOGIN owner role (default appowner)
  --app-user NAME        application login (default appuser)
  --backup-user NAME     read-only backup login (default backupuser)
  --temporal-owner NAME  existing role to own the Temporal databases (default: the admin login keeps them)
  --dir DIR              migrations directory (default sql/schema)
  --sqlite-schema FILE   SQLite: the schema to run (default sqlwright's generated/sqlite/schema.sql)

  With a sqlite: URL (--url or DATABASE_URL) init-db creates the tables from the generated SQLite schema
  (every statement IF NOT EXISTS, so it is safe to run again); --provision is PostgreSQL-only.

  Passwords come only from files: APPUSER_PASSWORD_FILE, BACKUPUSER_PASSWORD_FILE (e.g. /run/secrets/...).`;

export interface InitDbOptions {
  provision: boolean;
  /** Undefined: the libpq defaults. */
  adminUrl?: string;
  /** Connection for migrations; undefined: the admin connection on the application database. */
  url?: string;
  dir: string;
  /** SQLite: the schema file; undefined: sqlwright's generated/sqlite/schema.sql. */
  sqliteSchema?: string;
  plan: ProvisionPlan;
}

/**
 * Turns argv and the environment into options; the one place that reads either, so another source (the
 * config module) can build the same {@link ProvisionPlan}.
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
        dir: { type: 'string', default: 'sql/schema' },
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
  const databases = values.databases?.split(',').map((d) => d.trim()).filter(Boolean);
  if (databases && databases.length === 0) return { usage: `init-db: --databases names no database\n${USAGE}`, exitCode: 2 };
  const plan = makePlan({
    appDatabase: databases?.[0],
    temporalDatabases: databases?.slice(1),
    owner: values.owner,
    temporalOwner: values['temporal-owner'],
    appUser: { name: values['app-user'], passwordFile: env.APPUSER_PASSWORD_FILE || undefined },
    backupUser: { name: values['backup-user'], passwordFile: env.BACKUPUSER_PASSWORD_FILE || undefined },
  });
  const problems = planProblems(plan);
  if (problems.length > 0) return { usage: `init-db: ${problems.join('; ')}`, exitCode: 2 };
  return {
    provision: values.provision!,
    adminUrl: values['admin-url'] ?? (env.DATABASE_ADMIN_URL || undefined),
    url: values.url ?? (env.DATABASE_URL || undefined),
    dir: path.resolve(values.dir!),
    sqliteSchema: values['sqlite-schema'] === undefined ? undefined : path.resolve(values['sqlite-schema']),
    plan,
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

async function connected(config: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client(config);
  try {
    await client.connect();
  } catch (error) {
    const where = config.connectionString ? redactUrl(config.connectionString) : `${config.database ?? 'the default database'} (libpq defaults)`;
    throw new Error(`cannot connect to ${where}: ${(error as Error).message}`, { cause: error });
  }
  return client;
}

async function migrate(options: InitDbOptions): Promise<void> {
  const { plan } = options;
  const client = await connected(options.url ? clientConfig(options.url) : clientConfig(options.adminUrl, plan.appDatabase));
  try {
    const { rows } = await client.query(
      `SELECT current_user AS login, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS owner_exists`,
      [plan.owner],
    );
    const { login, owner_exists: ownerExists } = rows[0];
    if (!ownerExists) throw new Error(`role ${plan.owner} does not exist: run \`npm run init-db -- --provision\` first`);
    const member = await client.query(`SELECT pg_has_role(current_user, $1, 'MEMBER') AS ok`, [plan.owner]);
    if (!member.rows[0].ok) {
      throw new Error(`${login} cannot SET ROLE ${plan.owner}: migrate with an admin login (--url, DATABASE_ADMIN_URL) or a member of ${plan.owner}`);
    }
    const applied = await new Migrator(client, { dir: options.dir, role: plan.owner }).up();
    console.log(applied.length ? applied.map((f) => `applied ${f.fileName} as ${plan.owner}`).join('\n') : 'up to date: nothing to apply');
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
  const sqliteUrl = [options.url, options.adminUrl].find((url) => url?.startsWith('sqlite:'));
  if (sqliteUrl !== undefined && options.provision) {
    console.error('init-db: --provision creates PostgreSQL databases, roles and grants; SQLite has none of these. Run `init-db` without --provision to create the SQLite tables.');
    return 2;
  }
  try {
    if (sqliteUrl !== undefined) {
      await initSqlite(sqliteUrl, options.sqliteSchema);
    } else if (options.provision) {
      warnAboutPasswordVariables(env);
      const connect: ConnectAdmin = (database) => connected(clientConfig(options.adminUrl, database));
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
