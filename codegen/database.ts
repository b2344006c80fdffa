import { discoverServer, type DiscoveryOptions, type ServerKind as FoundKind } from './server/discovery.js';
import { createScratchDatabase, migrate } from './server/scratch-database.js';

/**
 * A scratch PostgreSQL for codegen, found in order: CODEGEN_DATABASE_URL, DATABASE_URL (postgres:// only), then
 * the test harness's own discovery (server/discovery.ts: TEST_DATABASE_URL, the libpq-default local server,
 * testcontainers, a throwaway initdb cluster), else an embedded PGlite served on a local socket. PGlite comes last,
 * after the throwaway cluster, as the issue orders it: a real server types queries exactly as production does.
 * On a server codegen creates a throwaway database and drops it at the end; PGlite ignores database names, so
 * there the schema goes into its only database, which vanishes with the process.
 */

export type ServerKind = FoundKind | 'pglite';

/** The URL variables codegen tries first, in order; then the harness's TEST_DATABASE_URL. */
const URL_VARIABLES = ['CODEGEN_DATABASE_URL', 'DATABASE_URL', 'TEST_DATABASE_URL'] as const;

export interface CodegenDatabase {
  kind: ServerKind;
  /** A connection URL to the scratch database, with the schema applied. */
  url: string;
  /** Drops the database (or stops PGlite). Safe to call once, also after a failure. */
  close(): Promise<void>;
}

/** Which server codegen would use: an admin URL, or `pglite` when discovery finds none. */
export async function discoverCodegenServer(options: Omit<DiscoveryOptions, 'urlVariables'> = {}): Promise<{ kind: ServerKind; adminUrl?: string }> {
  return (await discoverServer({ ...options, urlVariables: URL_VARIABLES })) ?? { kind: 'pglite' };
}

async function startPglite(): Promise<{ url: string; stop(): Promise<void> }> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  // pgtyped holds one connection and the migrator and introspection open others: one is not enough.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/** Creates the scratch database and applies `schemaDir` with the migrator; cleans up if that fails. */
export async function openScratchDatabase(options: { schemaDir: string; env?: NodeJS.ProcessEnv; forcePglite?: boolean }): Promise<CodegenDatabase> {
  const server = options.forcePglite ? { kind: 'pglite' as const } : await discoverCodegenServer({ env: options.env });
  let scratch: CodegenDatabase;
  if (server.kind === 'pglite' || !server.adminUrl) {
    const lite = await startPglite();
    scratch = { kind: 'pglite', url: lite.url, close: lite.stop };
  } else {
    const db = await createScratchDatabase(server.adminUrl, 'sqlwright_codegen');
    scratch = { kind: server.kind, url: db.url, close: db.drop };
  }
  try {
    await migrate(scratch.url, options.schemaDir);
  } catch (error) {
    await scratch.close().catch(() => undefined);
    throw error;
  }
  return scratch;
}
