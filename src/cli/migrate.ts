import { parseArgs } from 'node:util';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import { Migrator, type MigrationClient } from '../migrate/migrator.js';
import { DEFAULT_OWNER_ROLE, resolveMigrationRole, type OwnerRoleRequest } from '../migrate/owner-role.js';
import { packageSchemaDir } from '../setup.js';
import { clientConfigOf, connectClient } from './connect.js';
import { configuredDatabases } from './configured-databases.js';

const USAGE = `usage: npm run migrate -- up|status|verify [options]
  --url URL          the database (default DATABASE_URL, else database.url of config.yaml / CONFIG_FILE)
  --schema DIR       migrations directory (default sqlwright's sql/schema)
  --role NAME        up runs the migrations as this role, the schema owner (default DATABASE_OWNER_ROLE, else
                     appowner; when the default appowner does not exist, as the login, and it says so,
                     except with APP_ENV=production, where a missing owner role is an error)
  --lock-timeout MS  how long to wait for another migrator (default 60000)`;

/**
 * The owner role named by a flag or DATABASE_OWNER_ROLE, else the default `appowner`, which may be absent
 * except in production: there the login is the application's, which must never own the tables.
 */
export function ownerRoleRequest(flag: string | undefined, env: NodeJS.ProcessEnv): OwnerRoleRequest {
  const name = flag ?? (env.DATABASE_OWNER_ROLE || undefined);
  return name === undefined ? { name: DEFAULT_OWNER_ROLE, explicit: env.APP_ENV === 'production' } : { name, explicit: true };
}

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

function parse(argv: string[]) {
  return parseArgs({
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
}

/** The connection: --url as given, else the application database of the configuration (its password file and TLS too). */
function connectionOf(url: string | undefined, env: NodeJS.ProcessEnv): pg.ClientConfig | { problem: string } {
  if (url !== undefined) return url.startsWith('sqlite:') ? { problem: sqliteProblem(url) } : { connectionString: url };
  const { app } = configuredDatabases(env);
  if (!app) return { problem: 'no database: set DATABASE_URL, database.url in config.yaml, or pass --url' };
  return app.url.startsWith('sqlite:') ? { problem: sqliteProblem(app.url) } : clientConfigOf(app);
}

function sqliteProblem(url: string): string {
  return `${url.split('?')[0]} is SQLite, which has no migrations: \`npm run init-db\` creates its tables from generated/sqlite/schema.sql`;
}

/** `npm run migrate -- <command>` / `npx sqlwright migrate <command>`. Exit 0 ok, 1 failed, 2 usage. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    console.error(`migrate: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const lockTimeoutMs = Number(values['lock-timeout']);
  if (!command || !['up', 'status', 'verify'].includes(command) || positionals.length > 1 || !(lockTimeoutMs >= 0)) {
    console.error(USAGE);
    return 2;
  }
  let client: pg.Client;
  try {
    const connection = connectionOf(values.url, env);
    if ('problem' in connection) {
      console.error(`migrate: ${connection.problem}`);
      return 2;
    }
    client = await connectClient(connection);
  } catch (error) {
    console.error(`migrate: ${(error as Error).message}`);
    return 1;
  }
  const dir = values.schema === undefined ? packageSchemaDir() : path.resolve(values.schema);
  try {
    if (command === 'up') {
      await migrateUp(client, { dir, owner: ownerRoleRequest(values.role, env), lockTimeoutMs });
    } else if (command === 'status') {
      const { applied, pending } = await new Migrator(client, { dir }).status();
      for (const a of applied) console.log(`applied  ${String(a.version).padStart(4, '0')}_${a.name}  ${a.appliedAt.toISOString()}  ${a.durationMs} ms`);
      for (const p of pending) console.log(`pending  ${p.fileName}`);
      if (applied.length + pending.length === 0) console.log('no migrations');
    } else {
      await new Migrator(client, { dir }).verify();
      console.log('verified: applied migrations match their files');
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
