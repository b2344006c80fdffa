import { Repositories } from '../../generated/index.js';
import { openDatabase, type Database } from '../../src/database.js';
import { createDialect } from '../../src/dialect/create.js';
import type { Dialect, DialectConnection } from '../../src/dialect/dialect.js';
import type { DialectName } from '../../src/executor.js';
import { createJsonLogger } from '../../src/log.js';
import { ensureSchema } from '../../src/setup.js';
import { createMigratedDatabase } from '../support/database.js';
import { testDatabaseConfig } from '../support/runtime.js';

export const DIALECTS: readonly DialectName[] = ['postgres', 'sqlite'];

/** A database of one dialect with the app schema, opened the way applications open it, and every statement it sent. */
export interface ContractDatabase {
  dialect: DialectName;
  db: Database<Repositories>;
  repos: Repositories;
  /** Statement texts sent, in order (autocommit and transactions alike). */
  sent: string[];
  close(): Promise<void>;
}

/** The dialect, with each lent connection's `query` recording its text. */
function recording(inner: Dialect, sent: string[]): Dialect {
  return {
    name: inner.name,
    codec: inner.codec,
    status: () => inner.status(),
    exec: (script) => inner.exec(script),
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

/** PostgreSQL: a fresh migrated database of the test server; SQLite: an in-memory one with generated/sqlite/schema.sql. */
export async function openContractDatabase(dialect: DialectName): Promise<ContractDatabase> {
  const pg = dialect === 'postgres' ? await createMigratedDatabase('sqlwright_contract') : undefined;
  const config = testDatabaseConfig(pg?.url ?? 'sqlite::memory:');
  const logger = createJsonLogger({ level: 'error' });
  const sent: string[] = [];
  const db = openDatabase(config, { repositories: (executor) => new Repositories(executor), logger, dialect: recording(createDialect(config, { logger }), sent) });
  if (dialect === 'sqlite') await ensureSchema(db);
  sent.length = 0;
  return {
    dialect,
    db,
    repos: db.repositories,
    sent,
    close: async () => {
      await db.close();
      await pg?.drop();
    },
  };
}

/** Resolves once Date.now() has moved past the millisecond it was called in (SQLite timestamps have ms precision). */
export async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() === start) await new Promise((resolve) => setImmediate(resolve));
}
