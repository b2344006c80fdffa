import { parseArgs } from 'node:util';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import { Migrator, type MigrationClient, type MigrationStatus } from '../migrate/migrator.js';
import { ownerRoleRequest, resolveMigrationRole, type OwnerRoleRequest } from '../migrate/owner-role.js';
import { isSqliteUrl } from '../dialect/sqlite/url.js';
import { redactUrl } from '../redact.js';
import { packageSchemaDir } from '../setup.js';
import { clientConfigOf, connectClient } from './connect.js';
import { configuredDatabases } from './configured-databases.js';

const COMMANDS = ['up', 'status', 'verify'];

const USAGE = `usage: npm run migrate -- up|status|verify [options]
  --url URL          the database; replaces only the URL of the configuration (default DATABASE_URL, else
                     database.url of config.yaml / CONFIG_FILE): its password_file, ssl settings and the
                     production TLS rule still apply
  --schema DIR       migrations directory (default sqlwright's sql/schema)
  --role NAME        up runs the migrations as this role, the schema owner (default DATABASE_OWNER_ROLE, else
                     appowner; when the default appowner does not exist or may not create in this database,
                     as the login, and it says so, except with APP_ENV=production, where that is an error)
  --lock-timeout MS  how long to wait for another migrator, in milliseconds (default 60000)
  Migrations are PostgreSQL-only: on SQLite, \`npm run init-db\` creates the tables.
  Exit status: 0 done, 1 failed (the database, the configuration), 2 wrong usage (flags, arguments).`;

export interface MigrateUpOptions {
  dir: string;
  owner: OwnerRoleRequest;
  lockTimeoutMs?: number;
}

/**
 * Applies pending migrations as the owner role (see resolveMigrationRole) and prints each file with who ran it.
 * Shared by `migrate up` and `init-db`.
 * @throws OwnerRoleError, MigrationVerifyError, MigrationFailedError, MigrationLockTimeoutError.
 */
export async function migrateUp(client: MigrationClient, options: MigrateUpOptions): Promise<void> {
  const { role, runAs, note } = await resolveMigrationRole(client, options.owner);
  if (note) console.log(note);
  const applied = await new Migrator(client, { dir: options.dir, role, lockTimeoutMs: options.lockTimeoutMs }).up();
  console.log(applied.length ? applied.map((f) => `applied ${f.fileName} as ${runAs}`).join('\n') : 'up to date: nothing to apply');
}

function printStatus({ applied, pending }: MigrationStatus): void {
  for (const a of applied) console.log(`applied  ${String(a.version).padStart(4, '0')}_${a.name}.sql  ${a.appliedAt.toISOString()}  ${a.durationMs} ms`);
  for (const p of pending) console.log(`pending  ${p.fileName}`);
  if (applied.length + pending.length === 0) console.log('no migrations');
}

function verified({ applied, pending }: MigrationStatus): string {
  const checked = applied.length === 0 ? 'verified: nothing applied yet' : 'verified: applied migrations match their files';
  return pending.length === 0 ? checked : `${checked}; ${pending.length} pending (\`migrate up\` applies them)`;
}

type Parsed = { command: string; url?: string; schema?: string; role?: string; lockTimeoutMs: number };

/** @returns the command and its options, or why to stop: help (exit 0) or a usage mistake (exit 2). */
function parse(argv: string[]): Parsed | { message: string; exitCode: number } {
  const usageError = (message: string) => ({ message: `migrate: ${message}\n${USAGE}`, exitCode: 2 });
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        schema: { type: 'string' },
        role: { type: 'string' },
        'lock-timeout': { type: 'string', default: '60000' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { message: USAGE, exitCode: 0 };
  const [command, ...extra] = positionals;
  if (command === undefined) return usageError(`name a command: ${COMMANDS.join(', ')}`);
  if (!COMMANDS.includes(command)) return usageError(`unknown command ${JSON.stringify(command)}: expected ${COMMANDS.join(', ')}`);
  if (extra.length > 0) return usageError(`${command} takes no further arguments`);
  if (values.url === '') return usageError('--url is empty');
  // 0 would be PostgreSQL's lock_timeout = 0, i.e. wait forever.
  const lockTimeout = values['lock-timeout']!;
  if (!/^\d+$/.test(lockTimeout) || Number(lockTimeout) === 0) {
    return usageError(`--lock-timeout: expected a whole number of milliseconds > 0, got ${JSON.stringify(lockTimeout)}`);
  }
  return { command, url: values.url, schema: values.schema, role: values.role, lockTimeoutMs: Number(lockTimeout) };
}

/**
 * The connection: the application database of the configuration, --url replacing only its URL.
 * @throws ConfigError as the application would fail on the same configuration.
 */
function connectionOf(url: string | undefined, env: NodeJS.ProcessEnv): pg.ClientConfig | { sqlite: string } {
  const { app, appIsDefault } = configuredDatabases(env, url);
  if (!isSqliteUrl(app.url)) return clientConfigOf(app);
  const which = `${redactUrl(app.url)}${appIsDefault ? ' (the development default)' : ''}`;
  return {
    sqlite: `the database is ${which}, which is SQLite: migrations are PostgreSQL-only. ` +
      '`npm run init-db` creates the SQLite tables from generated/sqlite/schema.sql; to migrate PostgreSQL, set DATABASE_URL, database.url or --url',
  };
}

/** `npm run migrate -- <command>` / `npx sqlwright migrate <command>`. Exit 0 ok, 1 failed, 2 usage. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = parse(argv);
  if ('message' in parsed) {
    (parsed.exitCode === 0 ? console.log : console.error)(parsed.message);
    return parsed.exitCode;
  }
  let client: pg.Client;
  try {
    const connection = connectionOf(parsed.url, env);
    if ('sqlite' in connection) {
      console.error(`migrate: ${connection.sqlite}`);
      return 2;
    }
    client = await connectClient(connection);
  } catch (error) {
    console.error(`migrate: ${(error as Error).message}`);
    return 1;
  }
  const dir = parsed.schema === undefined ? packageSchemaDir() : path.resolve(parsed.schema);
  try {
    if (parsed.command === 'up') {
      await migrateUp(client, { dir, owner: ownerRoleRequest(parsed.role, env), lockTimeoutMs: parsed.lockTimeoutMs });
    } else if (parsed.command === 'status') {
      printStatus(await new Migrator(client, { dir }).status());
    } else {
      const migrator = new Migrator(client, { dir });
      await migrator.verify();
      console.log(verified(await migrator.status()));
    }
    return 0;
  } catch (error) {
    console.error(`migrate: ${(error as Error).message}`);
    return 1;
  } finally {
    await client.end();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
