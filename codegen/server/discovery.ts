import { existsSync } from 'node:fs';
import pg from 'pg';
import { isPostgresUrl } from '../../src/config/url.js';
import { ThrowawayCluster, findPostgresBinDir } from './cluster.js';
import { onProcessEnd } from './on-process-end.js';

/**
 * Finding a PostgreSQL server: one discovery for codegen (codegen/database.ts) and the test harness
 * (test/support/database.ts). In order: the URL variables the caller names, the libpq-default local server, a
 * testcontainers PostgreSQL when a Docker engine is there, a throwaway initdb cluster when the server binaries
 * are. A server discovery starts lives as long as the process, and is started once per process.
 */

export type ServerKind = 'env' | 'local' | 'testcontainers' | 'cluster';

/** Where the server came from, and an admin URL on it (database `postgres` or the one the URL names). */
export interface FoundServer {
  kind: ServerKind;
  adminUrl: string;
}

export interface DiscoveryOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * Variables holding a server URL, tried first, in order. Set but unreachable is an error, never a silent
   * fallback; one holding another kind of URL (`DATABASE_URL=sqlite:///dev.db`) is skipped.
   */
  urlVariables: readonly string[];
  /** Injected in tests to simulate a machine without PostgreSQL binaries. */
  findBinDir?: () => string | undefined;
  /** Injected in tests to simulate a machine without Docker. */
  dockerAvailable?: () => boolean;
}

/** Resolves to undefined when `url` answers `SELECT 1`, else to the error. */
async function canConnect(url: string): Promise<unknown> {
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
function libpqDefaultUrl(env: NodeJS.ProcessEnv): string {
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

/** Servers this process started, by kind: the second caller (codegen after the harness, say) reuses the first. */
const started = new Map<'testcontainers' | 'cluster', Promise<string>>();

function startOnce(kind: 'testcontainers' | 'cluster', start: () => Promise<string>): Promise<string> {
  let url = started.get(kind);
  if (url === undefined) {
    url = start();
    started.set(kind, url);
    url.catch(() => started.delete(kind));
  }
  return url;
}

async function startTestcontainer(): Promise<string> {
  // A dev dependency of sqlwright: in a service that lacks it, the import fails and discovery moves on.
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:15-alpine').start();
  process.once('beforeExit', () => void container.stop());
  return container.getConnectionUri();
}

async function startCluster(): Promise<string> {
  const cluster = await ThrowawayCluster.create();
  // Also on Ctrl-C or a kill: a postmaster outliving `npx sqlwright codegen` would hold its port and 40 MB of /tmp.
  // A host that handles Ctrl-C keeps running: forget the destroyed cluster, so the next discovery starts another.
  onProcessEnd(() => {
    started.delete('cluster');
    cluster.destroySync();
  });
  return cluster.url;
}

function defaultDockerAvailable(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

/**
 * The first server found, or undefined when there is none: the caller decides what that means (the tests fail
 * saying what to install, codegen starts an embedded PGlite).
 * @throws Error when a URL variable is set but its server cannot be reached.
 */
export async function discoverServer(options: DiscoveryOptions): Promise<FoundServer | undefined> {
  const env = options.env ?? process.env;
  for (const name of options.urlVariables) {
    const url = env[name];
    if (!url || !isPostgresUrl(url)) continue;
    const error = await canConnect(url);
    if (error) throw new Error(`${name} is set but cannot be reached: ${(error as Error).message}`, { cause: error });
    return { kind: 'env', adminUrl: url };
  }
  const local = libpqDefaultUrl(env);
  if (!(await canConnect(local))) return { kind: 'local', adminUrl: local };

  if ((options.dockerAvailable ?? (() => defaultDockerAvailable(env)))()) {
    try {
      return { kind: 'testcontainers', adminUrl: await startOnce('testcontainers', startTestcontainer) };
    } catch {
      // no usable engine (or no testcontainers) after all: try the binaries
    }
  }
  if ((options.findBinDir ?? findPostgresBinDir)()) return { kind: 'cluster', adminUrl: await startOnce('cluster', startCluster) };
  return undefined;
}
