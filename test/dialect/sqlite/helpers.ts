import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqliteDialect, type SqliteDialect, type SqliteDialectOptions } from '../../../src/dialect/sqlite/index.js';
import type { DialectConnection } from '../../../src/dialect/dialect.js';

// The schema codegen emits from sql/schema: the dialect is tested on what it really runs.
const SCHEMA = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../generated/sqlite/schema.sql');
export const fixtureSql = readFileSync(SCHEMA, 'utf8');

/** An in-memory (or given) SQLite dialect with the generated app schema loaded. */
export async function openFixture(options: Partial<SqliteDialectOptions> = {}): Promise<SqliteDialect> {
  const dialect = createSqliteDialect(options.url || options.filename ? options : { ...options, url: 'sqlite::memory:' });
  await dialect.exec(fixtureSql);
  return dialect;
}

/** A temp directory removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sqlwright-sqlite-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Acquire, run, release: what the runtime does for one statement outside a transaction. */
export async function q<R = Record<string, unknown>>(dialect: SqliteDialect, text: string, params: unknown[] = []): Promise<R[]> {
  const c = await dialect.acquire();
  try {
    return (await c.query<R>(text, params)).rows;
  } finally {
    c.release();
  }
}

/** The runtime's transaction shape in miniature: begin, work, commit; rollback on a throw; always release. */
export async function inTransaction<T>(dialect: SqliteDialect, work: (c: DialectConnection) => Promise<T>, options?: { readOnly?: boolean }): Promise<T> {
  const c = await dialect.acquire();
  try {
    await c.begin(options);
    const result = await work(c);
    await c.commit();
    return result;
  } catch (error) {
    await c.rollback();
    throw error;
  } finally {
    c.release();
  }
}

export async function insertUser(dialect: SqliteDialect | DialectConnection, first = 'Ada', email: string | null = `${first.toLowerCase()}@example.com`): Promise<string> {
  const run = async (c: DialectConnection) =>
    (await c.query<{ id: string }>('INSERT INTO app.users (first_name, last_name, email) VALUES ($1, $2, $3) RETURNING id', [first, 'Lovelace', email])).rows[0].id;
  if ('acquire' in dialect) {
    const c = await dialect.acquire();
    try { return await run(c); } finally { c.release(); }
  }
  return run(dialect);
}
