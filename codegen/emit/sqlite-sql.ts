import type { ValueKind } from '../../src/executor.js';
import type { Column, PgType } from '../catalog/types.js';
import { baseMapping } from '../typed/pg-types.js';

/**
 * PostgreSQL expressions of the catalog (defaults, CHECKs, index predicates, generated columns) in their
 * SQLite form, by the rules of docs/sqlite.md. Each function returns the SQLite text, or a reason it cannot.
 */

export type Translated = { sql: string } | { reason: string };

/** The storage kind of a column type (enums are text), or undefined for a type outside the type map. */
export function kindOf(type: PgType): ValueKind | undefined {
  if (type.kind === 'enum') return 'enum';
  return type.kind === 'base' ? baseMapping(type.name)?.kind : undefined;
}

/** The SQLite column type of a storage kind (docs/sqlite.md, "Type mapping"). */
export function storageType(kind: ValueKind, array: boolean): 'TEXT' | 'INTEGER' | 'REAL' | 'BLOB' {
  if (array) return 'TEXT';
  switch (kind) {
    case 'int': case 'bool': return 'INTEGER';
    case 'float': return 'REAL';
    case 'bytea': return 'BLOB';
    default: return 'TEXT';
  }
}

/** An identifier as SQL spells it: bare when plain lowercase, else double-quoted. */
export function ident(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const STRING_LITERAL = /'(?:[^']|'')*'/g;
const CAST = /::\s*(?:"[^"]+"|[A-Za-z_][\w$]*)(?:\.(?:"[^"]+"|[A-Za-z_][\w$]*))?(?:\(\d+(?:,\s*\d+)?\))?(?:\s+(?:varying|precision|with(?:out)?\s+time\s+zone))?(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])*/g;
/** Functions SQLite has with PostgreSQL's meaning (or that the dialect registers). */
const PORTABLE_FUNCTIONS = new Set(['lower', 'upper', 'length', 'coalesce', 'abs', 'trim', 'ltrim', 'rtrim', 'nullif', 'round', 'now', 'gen_random_uuid', 'clock_timestamp', 'transaction_timestamp', 'json_valid', 'substr', 'replace']);
const NOT_PORTABLE = /\b(ANY|ALL|ARRAY|ILIKE|SIMILAR|OVERLAPS|INTERVAL)\b|[~@]|&&|\?|#>|->>?\s*'|\|\|/i;

/** Applies `edit` to the text outside string literals. */
function outsideLiterals(text: string, edit: (code: string) => string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(STRING_LITERAL)) {
    out += edit(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + edit(text.slice(last));
}

/**
 * A boolean or scalar expression as pg_get_expr / pg_get_constraintdef print it, in SQLite form: `::type` casts
 * dropped (SQLite's column affinity does their work for literals). Refused when it uses operators or functions
 * SQLite lacks or means differently.
 */
export function translateExpression(expr: string): Translated {
  const code = outsideLiterals(expr, (c) => c.replace(CAST, ''));
  const bare = code.replace(STRING_LITERAL, "''");
  const unportable = NOT_PORTABLE.exec(bare);
  if (unportable) return { reason: `uses ${unportable[0].trim()}` };
  for (const m of bare.matchAll(/\b([A-Za-z_][\w$]*)\s*\(/g)) {
    if (!PORTABLE_FUNCTIONS.has(m[1].toLowerCase()) && !/^(AND|OR|NOT|IN|BETWEEN|IS|CHECK)$/i.test(m[1])) return { reason: `calls ${m[1]}()` };
  }
  return { sql: code };
}

/** Elements of a one-dimensional PostgreSQL array literal (`{a,"b c",NULL}`), or undefined when it is not one. */
function arrayElements(literal: string): (string | null)[] | undefined {
  if (!literal.startsWith('{') || !literal.endsWith('}')) return undefined;
  const body = literal.slice(1, -1);
  if (body.trim() === '') return [];
  const out: (string | null)[] = [];
  for (const m of body.matchAll(/\s*(?:"((?:[^"\\]|\\.)*)"|([^,{}"]*?))\s*(?:,|$)/g)) {
    if (m[0] === '') break;
    if (m[1] !== undefined) out.push(m[1].replace(/\\(.)/g, '$1'));
    else if (/^NULL$/i.test(m[2])) out.push(null);
    else if (m[2].includes('{')) return undefined;
    else out.push(m[2]);
  }
  return out;
}

function jsonElement(text: string | null, kind: ValueKind): unknown {
  if (text === null) return null;
  if (kind === 'int' || kind === 'float') return Number(text);
  if (kind === 'bool') return /^(t|true)$/i.test(text);
  if (kind === 'timestamp') return new Date(text).toISOString();
  return text;
}

const NOW = /^(now\(\)|CURRENT_TIMESTAMP|transaction_timestamp\(\)|statement_timestamp\(\)|LOCALTIMESTAMP)$/i;

/**
 * A column default in SQLite form (docs/sqlite.md, "Defaults"): `gen_random_uuid()` and `now()` call the
 * functions the dialect registers, booleans become 0/1, array literals JSON arrays, other literals lose their casts.
 */
export function translateDefault(column: Column): Translated {
  const expr = column.defaultExpr?.trim();
  const kind = kindOf(column.type);
  if (expr === undefined || kind === undefined) return { reason: 'no default' };
  if (/^gen_random_uuid\(\)$/i.test(expr)) return { sql: '(gen_random_uuid())' };
  if (NOW.test(expr)) return { sql: '(now())' };
  if (/^clock_timestamp\(\)$/i.test(expr)) return { sql: '(clock_timestamp())' };
  if (/^nextval\(/i.test(expr)) return { reason: `${expr} (a sequence) has no SQLite form outside an INTEGER PRIMARY KEY` };
  if (/^(true|false)$/i.test(expr)) return { sql: /^true$/i.test(expr) ? '1' : '0' };
  const number = /^\(?(-?\d+(?:\.\d+)?)\)?(?:::[\w ]+)?$/.exec(expr);
  const literal = /^'((?:[^']|'')*)'(?:::.+)?$/.exec(expr);
  const text = number ? number[1] : literal ? literal[1].replace(/''/g, "'") : undefined;
  if (text === undefined) return { reason: `default ${expr} has no SQLite form` };
  if (column.type.array) {
    const elements = arrayElements(text);
    return elements ? { sql: quote(JSON.stringify(elements.map((e) => jsonElement(e, kind)))) } : { reason: `array default ${expr} is not a one-dimensional literal` };
  }
  switch (kind) {
    case 'int': case 'float':
      return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? { sql: text } : { reason: `default ${expr} is not a number` };
    case 'bool':
      return { sql: /^(t|true|y|yes|on|1)$/i.test(text) ? '1' : '0' };
    case 'timestamp': {
      const date = new Date(text);
      return Number.isNaN(date.getTime()) ? { reason: `default ${expr} is not a timestamp JS can read` } : { sql: quote(date.toISOString()) };
    }
    case 'bytea':
      return { reason: `bytea default ${expr} is not ported` };
    default:
      return { sql: quote(text) };
  }
}
