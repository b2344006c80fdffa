import Database from 'better-sqlite3';
import { TransactionClock, registerFunctions } from '../../src/dialect/sqlite/functions.js';
import { translatePlaceholders } from '../../src/dialect/sqlite/placeholders.js';
import type { Catalog, Table } from '../catalog/types.js';
import type { Problem } from '../errors.js';
import { sqliteDifference } from './sqlite-differences.js';
import type { TypedQuery } from './types.js';

/**
 * Which named queries are PostgreSQL-only, and why. Each query's SQLite form (`$n` -> `?` as the dialect
 * translates it) is prepared, never run, against an in-memory SQLite loaded with the emitted schema: what
 * SQLite cannot prepare (ILIKE, `::` casts, `= ANY`, PostgreSQL functions, ...) is PostgreSQL-only. Queries that
 * prepare but would return something else on SQLite are found by reading them (sqlite-differences.ts) and are
 * marked PostgreSQL-only too: calling them on SQLite throws rather than returning different results.
 */

/** Constructs that explain a failed prepare better than SQLite's "syntax error". */
const HINTS: [RegExp, string][] = [
  [/\bILIKE\b/i, 'ILIKE'],
  [/::/, '`::` casts'],
  [/\b(ANY|ALL)\s*\(/i, '= ANY(...) / ALL(...)'],
  [/\bDISTINCT\s+ON\b/i, 'DISTINCT ON'],
  [/\bFOR\s+(UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b/i, 'FOR UPDATE/SHARE'],
  [/@>|<@|&&/, 'array/jsonb operators'],
  [/\bINTERVAL\b/i, 'interval'],
];

const LITERALS = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*/g;

/** The query with string literals, quoted identifiers and comments blanked, so patterns only see code. */
function code(text: string): string {
  return text.replace(LITERALS, (m) => (m.startsWith('"') ? m.replace(/[^"\n]/g, 'x') : "''"));
}

/**
 * The tables a query names: `schema.table`, or a bare `table` where it is not qualified by another schema. A bare
 * name resolves as on PostgreSQL's search path, to the first of the catalog's schemas that has such a table.
 */
function tablesOf(catalog: Catalog, text: string): Table[] {
  const qualified = new Set<string>();
  const unqualified = text.replace(/\b([A-Za-z_]\w*)\s*\.\s*([A-Za-z_]\w*)\b/g, (_, a: string, b: string) => {
    qualified.add(`${a}.${b}`.toLowerCase());
    return ' ';
  });
  const bare = new Set([...unqualified.matchAll(/\b[A-Za-z_]\w*\b/g)].map((m) => m[0].toLowerCase()));
  const first = (name: string) => catalog.schemas.map((s) => catalog.tables.find((t) => t.schema === s && t.name === name)).find(Boolean);
  return catalog.tables.filter((t) => qualified.has(`${t.schema}.${t.name}`.toLowerCase()) || (bare.has(t.name.toLowerCase()) && first(t.name) === t));
}

export interface SqlitePortability {
  /** Why each PostgreSQL-only query is so. */
  postgresOnly: Map<TypedQuery, string>;
}

/**
 * Loads `schemaSql` into an in-memory SQLite (one attached database per schema, the dialect's functions) and
 * checks every query. A schema that does not load is a problem: it is a bug of the emitter or an unported
 * construct, and `init-db` would fail the same way.
 */
export function checkSqlitePortability(schemaSql: string, catalog: Catalog, queries: readonly TypedQuery[], problems: Problem[]): SqlitePortability {
  const postgresOnly = new Map<TypedQuery, string>();
  const db = new Database(':memory:');
  try {
    for (const schema of catalog.schemas) db.prepare('ATTACH DATABASE ? AS ?').run(':memory:', schema);
    registerFunctions(db, new TransactionClock());
    try {
      db.exec(schemaSql);
    } catch (error) {
      problems.push({ where: 'sqlite/schema.sql', message: `the emitted SQLite schema does not load: ${(error as Error).message}` });
      return { postgresOnly };
    }
    for (const q of queries) {
      const text = code(q.text);
      const tables = tablesOf(catalog, text);
      try {
        db.prepare(translatePlaceholders(q.text).sql);
      } catch (error) {
        const hints = HINTS.filter(([pattern]) => pattern.test(text)).map(([, hint]) => hint);
        postgresOnly.set(q, `${hints.length ? `uses ${hints.join(', ')}; ` : ''}SQLite cannot prepare it: ${(error as Error).message}`);
        continue;
      }
      const differs = sqliteDifference(q, tables, text);
      if (differs) postgresOnly.set(q, differs);
    }
  } finally {
    db.close();
  }
  return { postgresOnly };
}
