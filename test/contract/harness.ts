import { Repositories } from '../../generated/index.js';
import { openDatabase, type Database } from '../../src/database.js';
import { createDialect } from '../../src/dialect/create.js';
import type { Dialect, DialectConnection } from '../../src/dialect/dialect.js';
import type { DatabaseFileConfig } from '../../src/config/schema.js';
import type { DialectName } from '../../src/executor.js';
import { createJsonLogger } from '../../src/log.js';
import { ensureSchema } from '../../src/setup.js';
import { createMigratedDatabase, type TestDatabase } from '../support/database.js';
import { testDatabaseConfig } from '../support/runtime.js';

export const DIALECTS: readonly DialectName[] = ['postgres', 'sqlite'];

/** A database of one dialect with the app schema, opened the way applications open it, and every statement it sent. */
export interface ContractDatabase {
  dialect: DialectName;
  db: Database<Repositories>;
  repos: Repositories;
  /** Statement texts sent, in order (autocommit and transactions alike, the fast path included). */
  sent: string[];
  /** The statements of `sent` that ran on the dialect's synchronous fast path (`queryNow`, SQLite). */
  sentNow: string[];
  close(): Promise<void>;
}

/** A `queryNow` that records what it ran (a statement that threw ran too; `undefined` means nothing ran). */
function recordingNow(queryNow: NonNullable<Dialect['queryNow']>, sent: string[], sentNow: string[]): Dialect['queryNow'] {
  return (text, params, options) => {
    let result;
    try {
      result = queryNow(text, params, options);
    } catch (error) {
      sent.push(text);
      sentNow.push(text);
      throw error;
    }
    if (result !== undefined) {
      sent.push(text);
      sentNow.push(text);
    }
    return result;
  };
}

/** The dialect, with each lent connection's `query` and the fast path recording their text; production's paths unchanged. */
function recording(inner: Dialect, sent: string[], sentNow: string[]): Dialect {
  return {
    name: inner.name,
    codec: inner.codec,
    status: () => inner.status(),
    exec: (script) => inner.exec(script),
    queryNow: inner.queryNow && recordingNow(inner.queryNow.bind(inner), sent, sentNow),
    close: (timeoutMs) => inner.close(timeoutMs),
    acquire: async () => {
      const connection = await inner.acquire();
      return new Proxy(connection, {
        get(target, prop) {
          if (prop === 'query') {
            return (text: string, params?: readonly unknown[], options?: object) => {
              sent.push(text);
              return target.query(text, params, options);
            };
          }
          const value = Reflect.get(target, prop, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }) as DialectConnection;
    },
  };
}

/** Another way to the PostgreSQL contract database (a PgBouncer in front of it), with config on top. */
export interface ContractRoute {
  url: string;
  config?: DatabaseFileConfig;
  close(): Promise<void>;
}

/**
 * PostgreSQL: a fresh migrated database of the test server; SQLite: an in-memory one with generated/sqlite/schema.sql.
 * With `route`, the PostgreSQL one is reached that way instead (e.g. through a PgBouncer).
 */
export async function openContractDatabase(dialect: DialectName, route?: (database: TestDatabase) => Promise<ContractRoute>): Promise<ContractDatabase> {
  const pg = dialect === 'postgres' ? await createMigratedDatabase('sqlwright_contract') : undefined;
  const via = pg && route ? await route(pg) : undefined;
  const config = testDatabaseConfig(via?.url ?? pg?.url ?? 'sqlite::memory:', via?.config);
  const logger = createJsonLogger({ level: 'error' });
  const sent: string[] = [];
  const sentNow: string[] = [];
  const db = openDatabase(config, { repositories: (executor) => new Repositories(executor), logger, dialect: recording(createDialect(config, { logger }), sent, sentNow) });
  if (dialect === 'sqlite') await ensureSchema(db);
  sent.length = 0;
  sentNow.length = 0;
  return {
    dialect,
    db,
    repos: db.repositories,
    sent,
    sentNow,
    close: async () => {
      await db.close();
      await via?.close();
      await pg?.drop();
    },
  };
}

/** Resolves once Date.now() has moved past the millisecond it was called in (SQLite timestamps have ms precision). */
export async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() === start) await new Promise((resolve) => setImmediate(resolve));
}
