import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Migrator } from '../src/migrate/migrator.js';

/**
 * A scratch PostgreSQL for codegen, found in order: CODEGEN_DATABASE_URL, DATABASE_URL (postgres:// only),
 * the libpq-default local server (also the test harness's second choice), else an embedded PGlite served on
 * a local socket. On a server codegen creates a throwaway database and drops it at the end; PGlite ignores
 * database names, so there the schema goes into its only database, which vanishes with the process.
 */

export type ServerKind = 'env' | 'local' | 'pglite';

export interface ScratchDatabase {
  kind: ServerKind;
  /** A connection URL to the scratch database, with the schema applied. */
  url: string;
  /** Drops the database (or stops PGlite). Safe to call once, also after a failure. */
  close(): Promise<void>;
}

/** Resolves to undefined when `url` answers `SELECT 1`, else to the error. */
export async function canConnect(url: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The server libpq would use: PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE, else 127.0.0.1:5432 as postgres. */
export function libpqDefaultUrl(env: NodeJS.ProcessEnv): string {
  const host = env.PGHOST && !env.PGHOST.startsWith('/') ? env.PGHOST : '127.0.0.1';
  const port = env.PGPORT ?? '5432';
  const user = encodeURIComponent(env.PGUSER ?? 'postgres');
  const password = env.PGPASSWORD ? `:${encodeURIComponent(env.PGPASSWORD)}` : '';
  return `postgresql://${user}${password}@${host}:${port}/${env.PGDATABASE ?? 'postgres'}`;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function applySchema(url: string, schemaDir: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await new Migrator(client, { dir: schemaDir }).up();
  } finally {
    await client.end();
  }
}

/** Which server codegen would use: an admin URL, or undefined for PGlite. */
export async function discoverCodegenServer(env: NodeJS.ProcessEnv = process.env): Promise<{ kind: ServerKind; adminUrl?: string }> {
  for (const name of ['CODEGEN_DATABASE_URL', 'DATABASE_URL'] as const) {
    const url = env[name];
    if (!url || (name === 'DATABASE_URL' && !/^postgres(ql)?:\/\//.test(url))) continue;
    const error = await canConnect(url);
    if (error) throw new Error(`${name} is set but cannot be reached: ${(error as Error).message}`, { cause: error });
    return { kind: 'env', adminUrl: url };
  }
  const local = libpqDefaultUrl(env);
  if (!(await canConnect(local))) return { kind: 'local', adminUrl: local };
  return { kind: 'pglite' };
}

async function startPglite(): Promise<{ url: string; stop(): Promise<void> }> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  // pgtyped holds one connection and the migrator and introspection open others: one is not enough.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await server.start();
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/** Creates the scratch database and applies `schemaDir` with the migrator; cleans up if that fails. */
export async function openScratchDatabase(options: { schemaDir: string; env?: NodeJS.ProcessEnv; forcePglite?: boolean }): Promise<ScratchDatabase> {
  const server = options.forcePglite ? { kind: 'pglite' as const } : await discoverCodegenServer(options.env);
  let scratch: ScratchDatabase;
  if (server.kind === 'pglite' || !server.adminUrl) {
    const lite = await startPglite();
    scratch = { kind: 'pglite', url: lite.url, close: lite.stop };
  } else {
    const adminUrl = server.adminUrl;
    const name = `sqlwright_codegen_${process.pid}_${randomBytes(4).toString('hex')}`;
    await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
    scratch = { kind: server.kind, url: withDatabase(adminUrl, name), close: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
  }
  try {
    await applySchema(scratch.url, options.schemaDir);
  } catch (error) {
    await scratch.close().catch(() => undefined);
    throw error;
  }
  return scratch;
}
