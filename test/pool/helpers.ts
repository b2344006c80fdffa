import type { Socket } from 'node:net';
import { after, before } from 'node:test';
import pg from 'pg';
import { adminQuery, createTestDatabase, testServer, type TestDatabase } from '../support/database.js';
import { systemClock, type Clock, type PoolLogger } from '../../src/pool/index.js';

export { createManualClock } from '../../src/pool/index.js';

/** A database of the test file's own, so pg_terminate_backend can target only our pool's backends. */
export function poolDatabase(): Promise<TestDatabase> {
  return createTestDatabase('sqlwright_pool');
}

/** Gives the calling test file its own database for all its tests (created before, dropped after). */
export function usePoolDatabase(): { readonly url: string; readonly name: string } {
  let db: TestDatabase | undefined;
  before(async () => {
    db = await poolDatabase();
  });
  after(async () => {
    await db?.drop();
  });
  const current = () => {
    if (!db) throw new Error('the pool test database exists only while the tests run');
    return db;
  };
  return {
    get url() {
      return current().url;
    },
    get name() {
      return current().name;
    },
  };
}

/**
 * The connect factory the runtime would pass: a plain pg.Client, connected, destroyed when the pool aborts the
 * connect. Each client built is pushed to `created` when given.
 */
export function pgConnect(connectionString: string, created?: pg.Client[]): (signal?: AbortSignal) => Promise<pg.Client> {
  return async (signal) => {
    const client = new pg.Client({ connectionString, application_name: 'sqlwright_pool_test' });
    created?.push(client);
    signal?.addEventListener('abort', () => socketOf(client).destroy(), { once: true });
    await client.connect();
    return client;
  };
}

/** A pg.Client's socket (pg does not type it). */
export function socketOf(client: pg.Client): Socket {
  return (client.connection as unknown as { stream: Socket }).stream;
}

/**
 * Stops the clients reading their sockets, as if they had not yet noticed what the server sent (a FATAL,
 * then the close), so that no 'error' or 'end' event can evict them: only a query on them finds out.
 * Returns a function that resumes reading; call it in the same tick as the checkouts, whose pre-pings are
 * then sent before the held bytes are read.
 */
export function holdIncoming(clients: pg.Client[]): () => void {
  const sockets = clients.map(socketOf);
  for (const socket of sockets) socket.pause();
  return () => {
    for (const socket of sockets) socket.resume();
  };
}

/** The real clock, keeping count of the timers set on it and not yet run or cleared. */
export function countingClock(): Clock & { readonly pending: number } {
  const pending = new Set<unknown>();
  return {
    now: systemClock.now,
    setTimeout(fn, ms) {
      const handle = systemClock.setTimeout(() => {
        pending.delete(handle);
        fn();
      }, ms);
      pending.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      pending.delete(handle);
      systemClock.clearTimeout(handle);
    },
    get pending() {
      return pending.size;
    },
  };
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}

export function captureLogger(): PoolLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (obj, msg) => void lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
    warn: (obj, msg) => void lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    error: (obj, msg) => void lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
  };
}

/** Backend pids connected to `database`, as seen by the server. */
export async function backendPids(database: string): Promise<number[]> {
  const { adminUrl } = await testServer();
  const { rows } = await adminQuery(adminUrl, 'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
  return rows.map((r) => Number(r.pid)).sort();
}

/** Terminates every backend connected to `database` (only ever a database of the test's own). */
export async function terminateBackends(database: string, pids?: number[]): Promise<number> {
  const { adminUrl } = await testServer();
  const { rows } = await adminQuery(
    adminUrl,
    'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND ($2::int[] IS NULL OR pid = ANY($2))',
    [database, pids ?? null],
  );
  return rows.filter((r) => r.ok).length;
}

/** Polls `check` until it returns true, up to `timeoutMs`; a bounded wait, not a timing assertion. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Settles a promise into a value or the error, so a test can assert on either. */
export async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

/** The pid of the backend behind a connection. */
export async function pidOf(conn: { query(text: string): Promise<{ rows: any[] }> }): Promise<number> {
  const { rows } = await conn.query('SELECT pg_backend_pid() AS pid');
  return Number(rows[0].pid);
}
