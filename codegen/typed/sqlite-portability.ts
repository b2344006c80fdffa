import Database from 'better-sqlite3';
import { TransactionClock, registerFunctions } from '../../src/dialect/sqlite/functions.js';
import { translatePlaceholders } from '../../src/dialect/sqlite/placeholders.js';
import type { Catalog, Table } from '../catalog/types.js';
import type { Problem } from '../errors.js';
import type { TypedQuery } from './types.js';

/**
 * Which named queries are PostgreSQL-only, and why. Each query's SQLite form (`$n` -> `?` as the dialect
 * translates it) is prepared, never run, against an in-memory SQLite loaded with the emitted schema: what
 * SQLite cannot prepare (ILIKE, `::` casts, `= ANY`, PostgreSQL functions, ...) is PostgreSQL-only. Queries that
 * prepare but would return something else on SQLite are found by reading them (docs/sqlite.md, "Portability"):
 * - ORDER BY an enum column: SQLite sorts by label, PostgreSQL by declaration order;
 * - UPDATE … RETURNING on a table with the touch-updated_at trigger that does not set the column itself: SQLite
 *   reports the old value (its trigger runs after RETURNING).
 * Those are marked PostgreSQL-only too: calling them on SQLite throws rather than returning different results.
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

function tablesOf(catalog: Catalog, text: string): Table[] {
  return catalog.tables.filter((t) => new RegExp(`\\b${t.schema}\\s*\\.\\s*"?${t.name}"?\\b`, 'i').test(text));
}

/** ORDER BY items that name an enum column (a result column or a column of a table the query reads). */
function enumOrderBy(q: TypedQuery, tables: Table[], text: string): string | undefined {
  const at = text.search(/\bORDER\s+BY\b(?![\s\S]*\bORDER\s+BY\b)/i);
  if (at < 0) return undefined;
  const clause = text.slice(at).replace(/^ORDER\s+BY/i, '').split(/\b(LIMIT|OFFSET|FOR|FETCH)\b|\)|;/i)[0];
  const enumNames = new Set([
    ...q.columns.filter((c) => c.type.kind === 'enum').map((c) => c.key.toLowerCase()),
    ...tables.flatMap((t) => t.columns.filter((c) => c.type.kind === 'enum' && !c.type.array).map((c) => c.name.toLowerCase())),
  ]);
  for (const item of clause.split(',')) {
    const m = /^\s*(?:[A-Za-z_]\w*\s*\.\s*)?"?([A-Za-z_]\w*)"?\s*(ASC|DESC)?\s*(NULLS\s+(FIRST|LAST))?\s*$/i.exec(item);
    if (m && enumNames.has(m[1].toLowerCase())) {
      return `ORDER BY ${m[1]} sorts an enum, by label on SQLite but by declaration order on PostgreSQL`;
    }
  }
  return undefined;
}

/** The column a table's touch trigger stamps (see emit/sqlite-schema.ts), if it has one. */
function touchedColumn(table: Table): string | undefined {
  for (const t of table.triggers ?? []) {
    const m = /NEW\.("?)(\w+)\1\s*:=\s*(now\(\)|CURRENT_TIMESTAMP|transaction_timestamp\(\)|clock_timestamp\(\))/i.exec(t.source);
    if (m && t.timing === 'BEFORE' && t.events.includes('UPDATE')) return m[2];
  }
  return undefined;
}

function staleReturning(tables: Table[], text: string): string | undefined {
  const m = /^\s*UPDATE\s+(?:ONLY\s+)?([\w"]+)\s*\.\s*([\w"]+)[\s\S]*?\bSET\b([\s\S]*?)(?:\bWHERE\b|\bFROM\b|\bRETURNING\b)/i.exec(text);
  if (!m || !/\bRETURNING\b/i.test(text)) return undefined;
  const table = tables.find((t) => t.schema === m[1].replace(/"/g, '') && t.name === m[2].replace(/"/g, ''));
  const column = table && touchedColumn(table);
  if (!column || new RegExp(`(^|,)\\s*"?${column}"?\\s*=`, 'i').test(m[3])) return undefined;
  return `UPDATE … RETURNING on ${table.name} would report the old ${column} on SQLite, where the touch trigger runs after RETURNING; set ${column} = now() in the query`;
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
      const differs = enumOrderBy(q, tables, text) ?? staleReturning(tables, text);
      if (differs) postgresOnly.set(q, differs);
    }
  } finally {
    db.close();
  }
  return { postgresOnly };
}
