import type { Table } from '../catalog/types.js';
import type { TypedQuery } from './types.js';

/**
 * Queries SQLite prepares but would answer differently, found by reading them (docs/sqlite.md, "Portability").
 * `text` has literals, quoted identifiers' contents and comments blanked (sqlite-portability.ts `code`).
 * - an enum ordered: ORDER BY an enum column or the ordinal of one (also inside OVER (...) and aggregates),
 *   min()/max() of one, or one compared with < > <= >= BETWEEN: SQLite orders by label, PostgreSQL by
 *   declaration order;
 * - UPDATE … RETURNING, or INSERT … ON CONFLICT DO UPDATE … RETURNING, on a table with the touch-updated_at
 *   trigger, without setting the column itself: SQLite reports the old value (its trigger runs after RETURNING).
 */
export function sqliteDifference(q: TypedQuery, tables: readonly Table[], text: string): string | undefined {
  return enumOrdering(q, tables, text) ?? staleReturning(tables, text);
}

const NAME = String.raw`(?:[A-Za-z_]\w*\s*\.\s*)?"?([A-Za-z_]\w*)"?`;

/** Paren depth at each offset of `text`. */
function depths(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  for (const ch of text) {
    if (ch === ')') depth--;
    out.push(depth);
    if (ch === '(') depth++;
  }
  return out;
}

/** The items of the ORDER BY list starting at `from`: up to its closing paren, `;` or the next clause, split at top-level commas. */
function orderByItems(text: string, from: number): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i <= text.length; i++) {
    const ch = text[i];
    const end = i === text.length || ch === ';' || (ch === ')' && depth === 0) ||
      (depth === 0 && /^\b(LIMIT|OFFSET|FOR|FETCH|ROWS|RANGE|GROUPS|UNION|INTERSECT|EXCEPT|WINDOW)\b/i.test(text.slice(i)) && /\W/.test(text[i - 1] ?? ' '));
    if (end || (ch === ',' && depth === 0)) {
      items.push(text.slice(start, i));
      if (end) return items;
      start = i + 1;
    } else if (ch === '(') depth++;
    else if (ch === ')') depth--;
  }
  return items;
}

function enumOrdering(q: TypedQuery, tables: readonly Table[], text: string): string | undefined {
  const enumNames = new Set([
    ...q.columns.filter((c) => c.type.kind === 'enum' && !c.type.array).map((c) => c.key.toLowerCase()),
    ...tables.flatMap((t) => t.columns.filter((c) => c.type.kind === 'enum' && !c.type.array).map((c) => c.name.toLowerCase())),
  ]);
  const isEnum = (name: string) => enumNames.has(name.toLowerCase());
  const depth = depths(text);
  for (const m of text.matchAll(/\bORDER\s+BY\b/gi)) {
    for (const item of orderByItems(text, m.index + m[0].length)) {
      const bare = item.replace(/\s+(ASC|DESC)\b|\s+NULLS\s+(FIRST|LAST)\b/gi, '').trim();
      const column = new RegExp(`^${NAME}$`).exec(bare);
      if (column && isEnum(column[1])) return `ORDER BY ${column[1]} sorts an enum, by label on SQLite but by declaration order on PostgreSQL`;
      // An ordinal picks a result column only in the statement's own ORDER BY (in OVER (...) it is a constant).
      const ordinal = /^\d+$/.test(bare) && depth[m.index] === 0 ? q.columns[Number(bare) - 1] : undefined;
      if (ordinal?.type.kind === 'enum' && !ordinal.type.array) {
        return `ORDER BY ${bare} sorts the enum ${ordinal.name}, by label on SQLite but by declaration order on PostgreSQL`;
      }
    }
  }
  for (const m of text.matchAll(new RegExp(String.raw`\b(min|max)\s*\(\s*(?:DISTINCT\s+)?${NAME}\s*\)`, 'gi'))) {
    if (isEnum(m[2])) return `${m[1].toLowerCase()}(${m[2]}) of an enum is by label on SQLite but by declaration order on PostgreSQL`;
  }
  const comparisons = [
    new RegExp(String.raw`${NAME}\s*(?:<=|>=|<(?![>@])|(?<![-<#])>(?!>))|\b([A-Za-z_]\w*)"?\s+(?:NOT\s+)?BETWEEN\b`, 'gi'),
    new RegExp(String.raw`(?:<=|>=|(?<![<@])<(?![>@])|(?<![-<#])>)\s*${NAME}`, 'gi'),
  ];
  for (const pattern of comparisons) {
    for (const m of text.matchAll(pattern)) {
      const name = m[1] ?? m[2];
      if (name && isEnum(name)) return `${name} compared with < > BETWEEN orders an enum, by label on SQLite but by declaration order on PostgreSQL`;
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

/** `UPDATE s.t … SET <list>` and `INSERT INTO s.t … ON CONFLICT … DO UPDATE SET <list>`: the table and the SET list. */
const UPDATES = [
  { what: 'UPDATE … RETURNING', pattern: /\bUPDATE\s+(?:ONLY\s+)?([\w"]+)\s*\.\s*([\w"]+)(?:\s+(?:AS\s+)?\w+)?\s+SET\b([\s\S]*?)(?=\bWHERE\b|\bFROM\b|\bRETURNING\b|$)/gi },
  {
    what: 'INSERT … ON CONFLICT DO UPDATE … RETURNING',
    pattern: /\bINSERT\s+INTO\s+([\w"]+)\s*\.\s*([\w"]+)[\s\S]*?\bON\s+CONFLICT\b[\s\S]*?\bDO\s+UPDATE\s+SET\b([\s\S]*?)(?=\bWHERE\b|\bRETURNING\b|$)/gi,
  },
];

function staleReturning(tables: readonly Table[], text: string): string | undefined {
  if (!/\bRETURNING\b/i.test(text)) return undefined;
  for (const { what, pattern } of UPDATES) {
    for (const m of text.matchAll(pattern)) {
      const table = tables.find((t) => t.schema === m[1].replace(/"/g, '') && t.name === m[2].replace(/"/g, ''));
      const column = table && touchedColumn(table);
      if (!column || new RegExp(`(^|,)\\s*"?${column}"?\\s*=`, 'i').test(m[3])) continue;
      return `${what} on ${table.name} would report the old ${column} on SQLite, where the touch trigger runs after RETURNING; set ${column} = now() in the query`;
    }
  }
  return undefined;
}
