import type { Table } from '../catalog/types.js';
import { isRowidKey } from '../emit/sqlite-schema.js';
import { kindOf } from '../emit/sqlite-sql.js';
import type { TypedQuery } from './types.js';

/**
 * Queries SQLite prepares but would answer differently, found by reading them (docs/sqlite.md, "Portability").
 * `text` has literals, quoted identifiers' contents and comments blanked (sqlite-portability.ts `code`); `tables`
 * are the tables it names, qualified or bare.
 * - a column that sorts otherwise on SQLite ordered: ORDER BY it or the ordinal of an enum result (also inside
 *   OVER (...) and aggregates), min()/max() of it, or it compared with < > <= >= BETWEEN. Enums sort by label on
 *   SQLite, by declaration order on PostgreSQL; bigint/numeric columns stored as TEXT compare as text;
 * - `->>`, which gives a JSON number as a number on SQLite but as text on PostgreSQL;
 * - `+`/`-` on a date or timestamp column: PostgreSQL does date arithmetic, SQLite arithmetic on the text's leading
 *   number (`'2024-01-31' + 1` is 2025);
 * - UPDATE … RETURNING, or INSERT … ON CONFLICT DO UPDATE … RETURNING, of the column a touch-updated_at trigger
 *   stamps (or `*`), without setting it itself: SQLite reports the old value (its trigger runs after RETURNING).
 */
export function sqliteDifference(q: TypedQuery, tables: readonly Table[], text: string): string | undefined {
  return misordered(q, tables, text) ?? int8ParamAgainstExpression(q, tables, text) ?? jsonText(text) ?? dateArithmetic(tables, text) ??
    staleReturning(tables, text);
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

/** How a kind of column sorts differently on SQLite, in words for the reason. */
const MISORDER = {
  enum: { what: 'an enum', how: 'by label on SQLite but by declaration order on PostgreSQL' },
  bigint: { what: 'a bigint stored as text', how: "compared as text on SQLite ('10' < '9') but as numbers on PostgreSQL" },
  numeric: { what: 'a numeric stored as text', how: "compared as text on SQLite ('10' < '9') but as numbers on PostgreSQL" },
} as const;

type Misorder = (typeof MISORDER)[keyof typeof MISORDER];

/** Column names (lower case) that sort differently on SQLite: enums (also result columns), TEXT-stored bigint/numeric. */
function misorderedNames(q: TypedQuery, tables: readonly Table[]): Map<string, Misorder> {
  const names = new Map<string, Misorder>();
  for (const t of tables) {
    for (const c of t.columns) {
      const kind = kindOf(c.type);
      if (c.type.array || (kind !== 'enum' && kind !== 'bigint' && kind !== 'numeric') || isRowidKey(t, c)) continue;
      if (!names.has(c.name.toLowerCase()) || kind === 'enum') names.set(c.name.toLowerCase(), MISORDER[kind]);
    }
  }
  for (const c of q.columns) if (c.type.kind === 'enum' && !c.type.array) names.set(c.key.toLowerCase(), MISORDER.enum);
  return names;
}

function misordered(q: TypedQuery, tables: readonly Table[], text: string): string | undefined {
  const names = misorderedNames(q, tables);
  const of = (name: string) => names.get(name.toLowerCase());
  const depth = depths(text);
  for (const m of text.matchAll(/\bORDER\s+BY\b/gi)) {
    for (const item of orderByItems(text, m.index + m[0].length)) {
      const bare = item.replace(/\s+(ASC|DESC)\b|\s+NULLS\s+(FIRST|LAST)\b/gi, '').trim();
      const column = new RegExp(`^${NAME}$`).exec(bare);
      const sorts = column && of(column[1]);
      if (sorts) return `ORDER BY ${column[1]} sorts ${sorts.what}, ${sorts.how}`;
      // An ordinal picks a result column only in the statement's own ORDER BY (in OVER (...) it is a constant).
      const ordinal = /^\d+$/.test(bare) && depth[m.index] === 0 ? q.columns[Number(bare) - 1] : undefined;
      if (ordinal?.type.kind === 'enum' && !ordinal.type.array) {
        return `ORDER BY ${bare} sorts the enum ${ordinal.name}, ${MISORDER.enum.how}`;
      }
    }
  }
  for (const m of text.matchAll(new RegExp(String.raw`\b(min|max)\s*\(\s*(?:DISTINCT\s+)?${NAME}\s*\)`, 'gi'))) {
    const sorts = of(m[2]);
    if (sorts) return `${m[1].toLowerCase()}(${m[2]}) of ${sorts.what} is ${sorts.how}`;
  }
  const comparisons = [
    new RegExp(String.raw`${NAME}\s*(?:<=|>=|<(?![>@])|(?<![-<#])>(?!>))|\b([A-Za-z_]\w*)"?\s+(?:NOT\s+)?BETWEEN\b`, 'gi'),
    new RegExp(String.raw`(?:<=|>=|(?<![<@])<(?![>@])|(?<![-<#])>)\s*${NAME}`, 'gi'),
  ];
  for (const pattern of comparisons) {
    for (const m of text.matchAll(pattern)) {
      const name = m[1] ?? m[2];
      const sorts = name ? of(name) : undefined;
      if (sorts) return `${name} compared with < > BETWEEN orders ${sorts.what}, ${sorts.how}`;
    }
  }
  return undefined;
}

/** Lower-case names of bigint/numeric columns SQLite stores as TEXT (rowid keys are INTEGER). */
function textStoredNumbers(tables: readonly Table[]): Set<string> {
  return new Set(tables.flatMap((t) =>
    t.columns.filter((c) => !c.type.array && (kindOf(c.type) === 'bigint' || kindOf(c.type) === 'numeric') && !isRowidKey(t, c)).map((c) => c.name.toLowerCase())));
}

/** Where the parenthesised expression (or CASE … END) ending just before `end` starts. */
function expressionStart(text: string, end: number): number {
  const tail = text.slice(0, end).trimEnd();
  if (/END$/i.test(tail)) {
    const cases = [...tail.matchAll(/CASE/gi)];
    return cases.length ? cases[cases.length - 1].index : 0;
  }
  let depth = 0;
  for (let i = tail.length - 1; i >= 0; i--) {
    if (tail[i] === ')') depth++;
    else if (tail[i] === '(' && --depth === 0) return i;
  }
  return 0;
}

/**
 * An int8 parameter is bound as an SQLite INTEGER. Against a bare TEXT-stored bigint column that is fine (the
 * column's affinity converts it), but an expression over one (coalesce, CASE, a subquery) has no affinity, so an
 * INTEGER never equals its TEXT value: `coalesce(parent, qty) = $1` matches nothing on SQLite.
 */
function int8ParamAgainstExpression(q: TypedQuery, tables: readonly Table[], text: string): string | undefined {
  const stored = textStoredNumbers(tables);
  if (stored.size === 0) return undefined;
  const mentionsStored = (expression: string) => [...expression.matchAll(/[A-Za-z_]\w*/g)].some((m) => stored.has(m[0].toLowerCase()));
  for (const p of q.params) {
    if (p.type.kind !== 'base' || p.type.name !== 'int8' || p.type.array) continue;
    const param = String.raw`\$${p.index}(?!\d)`;
    const op = String.raw`(?:=|<>|!=|\bIS\s+(?:NOT\s+)?DISTINCT\s+FROM\b|\bIN\b)`;
    for (const m of text.matchAll(new RegExp(String.raw`(?:\)|\bEND\b)\s*${op}\s*\(?\s*${param}`, 'gi'))) {
      const expression = text.slice(expressionStart(text, m.index + (m[0].startsWith(')') ? 1 : 3)), m.index + 3);
      if (mentionsStored(expression)) return `an int8 parameter ($${p.index}) compared with an expression over a bigint/numeric column stored as text never matches on SQLite (an INTEGER is never equal to TEXT without a column's affinity)`;
    }
    for (const m of text.matchAll(new RegExp(String.raw`${param}\s*${op}\s*(\(|\b(?:coalesce|nullif|greatest|least|case)\b)`, 'gi'))) {
      if (mentionsStored(text.slice(m.index))) return `an int8 parameter ($${p.index}) compared with an expression over a bigint/numeric column stored as text never matches on SQLite (an INTEGER is never equal to TEXT without a column's affinity)`;
    }
  }
  return undefined;
}

function jsonText(text: string): string | undefined {
  return /->>/.test(text) ? '`->>` gives a JSON number as a number on SQLite but as text on PostgreSQL' : undefined;
}

function dateArithmetic(tables: readonly Table[], text: string): string | undefined {
  const dated = new Set(tables.flatMap((t) => t.columns.filter((c) => !c.type.array && (kindOf(c.type) === 'date' || kindOf(c.type) === 'timestamp')).map((c) => c.name.toLowerCase())));
  const patterns = [new RegExp(String.raw`${NAME}\s*[-+](?![->])`, 'g'), new RegExp(String.raw`(?<![-<#>])[-+]\s*${NAME}`, 'g')];
  for (const pattern of patterns) {
    for (const m of text.matchAll(pattern)) {
      if (dated.has(m[1].toLowerCase())) {
        return `${m[1]} with + or - is date arithmetic on PostgreSQL, but arithmetic on the text's leading number on SQLite ('2024-01-31' + 1 is 2025)`;
      }
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

/** `UPDATE [s.]t … SET <list>` and `INSERT INTO [s.]t … ON CONFLICT … DO UPDATE SET <list>`: schema, table and the SET list. */
const UPDATES = [
  { what: 'UPDATE … RETURNING', pattern: /\bUPDATE\s+(?:ONLY\s+)?(?:([\w"]+)\s*\.\s*)?([\w"]+)(?:\s+(?:AS\s+)?\w+)?\s+SET\b([\s\S]*?)(?=\bWHERE\b|\bFROM\b|\bRETURNING\b|$)/gi },
  {
    what: 'INSERT … ON CONFLICT DO UPDATE … RETURNING',
    pattern: /\bINSERT\s+INTO\s+(?:([\w"]+)\s*\.\s*)?([\w"]+)[\s\S]*?\bON\s+CONFLICT\b[\s\S]*?\bDO\s+UPDATE\s+SET\b([\s\S]*?)(?=\bWHERE\b|\bRETURNING\b|$)/gi,
  },
];

function staleReturning(tables: readonly Table[], text: string): string | undefined {
  const returning = /\bRETURNING\b([\s\S]*)$/i.exec(text)?.[1];
  if (returning === undefined) return undefined;
  for (const { what, pattern } of UPDATES) {
    for (const m of text.matchAll(pattern)) {
      const [schema, name] = [m[1]?.replace(/"/g, ''), m[2].replace(/"/g, '')];
      // A bare name is the table tablesOf resolved it to.
      const table = tables.find((t) => t.name === name && (schema === undefined || t.schema === schema));
      const column = table && touchedColumn(table);
      if (!column || new RegExp(`(^|,)\\s*"?${column}"?\\s*=`, 'i').test(m[3])) continue;
      if (!/\*/.test(returning) && !new RegExp(`\\b${column}\\b`, 'i').test(returning)) continue;
      return `${what} on ${table.name} would report the old ${column} on SQLite, where the touch trigger runs after RETURNING; set ${column} = now() in the query`;
    }
  }
  return undefined;
}
