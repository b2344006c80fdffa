import type { ColumnType, ValueCodec, ValueKind } from '../../executor.js';
import { CheckViolationError, DatabaseError } from '../../errors.js';
import { isCanonicalUuid } from '../../uuid-text.js';
import { DECIMAL_KEY_FUNCTION } from './functions.js';

/*
 * Storage (docs/sqlite.md has the full table):
 *   bool            INTEGER 0/1                 timestamp  TEXT, ISO-8601 UTC with ms ('2024-05-01T12:00:00.000Z')
 *   date            TEXT 'YYYY-MM-DD'           json       TEXT, JSON of the value (objects, arrays, scalars)
 *   bigint, numeric TEXT, exact decimal string  bytea      BLOB
 *   int             INTEGER                     float      REAL
 *   uuid            TEXT, canonical lowercase   text, enum TEXT
 *   arrays          TEXT, a JSON array of the elements encoded as in arrayElement below
 * Reads return what pg returns on PostgreSQL with sqlwright's type parsers (postgres/type-parsers.ts).
 */

const UUID = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;
const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const NUMERIC_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$|^\s*NaN\s*$/i;

/** PostgreSQL's error for a malformed input value (22P02), which translatePostgresError makes a CheckViolationError. */
function invalidInput(typeName: string, value: unknown): CheckViolationError {
  return new CheckViolationError(`invalid input syntax for type ${typeName}: ${JSON.stringify(String(value))}`, {});
}

function encodeUuid(value: unknown): string {
  if (isCanonicalUuid(value)) return value; // the usual case, on every get(id)
  const m = typeof value === 'string' ? UUID.exec(value) : null;
  if (!m) throw invalidInput('uuid', value);
  return `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase();
}

function encodeTimestamp(value: unknown): string {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new DatabaseError(`invalid input syntax for type timestamp with time zone: ${JSON.stringify(String(value))}`, { sqlState: '22007' });
  }
  return date.toISOString();
}

/** Two ASCII digits at `i` as a number, or NaN. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48, b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/**
 * Reads the storage format 'YYYY-MM-DDTHH:MM:SS.sssZ' by hand: it runs for every timestamp of every row, and is
 * about twice as fast as `new Date(text)`. SQLite's own `CURRENT_TIMESTAMP`/`datetime()` text, 'YYYY-MM-DD
 * HH:MM:SS' in UTC with no zone, is read as UTC; anything else goes to `new Date`.
 */
function decodeTimestamp(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value.length === 24 && value.charCodeAt(10) === 84 /* T */ && value.charCodeAt(19) === 46 /* . */ && value.charCodeAt(23) === 90 /* Z */) {
    const year = two(value, 0) * 100 + two(value, 2), month = two(value, 5), day = two(value, 8);
    const hour = two(value, 11), minute = two(value, 14), second = two(value, 17);
    const last = value.charCodeAt(22) - 48;
    const milli = two(value, 20) * 10 + (last >= 0 && last <= 9 ? last : NaN);
    // Every comparison with NaN is false, so a non-digit anywhere falls through to new Date.
    if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59 && milli >= 0) {
      return new Date(daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + milli);
    }
  }
  return new Date(value.length === 19 && value.charCodeAt(10) === 32 ? `${value.replace(' ', 'T')}Z` : value);
}

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/**
 * int8 as an SQLite INTEGER (64-bit, so every int8 fits): a parameter compares as a number (`count(*) >= $1`,
 * `LIMIT $1`), and a TEXT column stores its exact decimal text. Out of range is PostgreSQL's 22003, which
 * translatePostgresError makes a CheckViolationError.
 * @throws CheckViolationError for malformed or out-of-range input.
 */
function encodeInt8(value: unknown): bigint {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && INTEGER_TEXT.test(value)) n = BigInt(value.trim());
  else throw invalidInput('bigint', value);
  if (n < INT8_MIN || n > INT8_MAX) throw new CheckViolationError(`bigint out of range: ${n}`, {});
  return n;
}

function encodeNumeric(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalidInput('numeric', value);
    return String(value);
  }
  if (typeof value === 'string' && NUMERIC_TEXT.test(value)) return value.trim();
  throw invalidInput('numeric', value);
}

/** An SQL string literal. */
function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A value as one element of a JSON array; JSON-native kinds stay themselves. */
function encodeElement(value: unknown, kind: ValueKind): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'timestamp': return encodeTimestamp(value);
    case 'date': return value instanceof Date ? value.toISOString().slice(0, 10) : value;
    case 'bigint': return encodeInt8(value).toString();
    case 'numeric': return encodeNumeric(value);
    case 'uuid': return encodeUuid(value);
    case 'bytea': return Buffer.from(value as Uint8Array).toString('base64');
    default: return value;
  }
}

/**
 * A decimal as PostgreSQL prints a `numeric(p, s)`: exactly `scale` digits after the point, rounded half away from
 * zero (`'12.3'` -> `'12.30'`, `'1.005'` -> `'1.01'`). SQLite keeps the text as written, and REAL arithmetic
 * results come back as numbers. Text that is not a plain decimal (NaN, exponents) goes through Number.
 */
export function toScale(value: string, scale: number): string {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(value);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) {
    const n = Number(value);
    return Number.isFinite(n) ? toScale(n.toFixed(Math.min(scale + 1, 100)), scale) : value;
  }
  const [, sign, whole, fraction = ''] = m;
  if (fraction.length === scale) return `${sign === '-' ? '-' : ''}${whole || '0'}${scale > 0 ? `.${fraction}` : ''}`;
  let digits = (whole || '0') + (fraction.length < scale ? fraction.padEnd(scale, '0') : fraction.slice(0, scale));
  if (fraction.length > scale && fraction.charCodeAt(scale) >= 53 /* 5 */) {
    const out = digits.split('');
    let i = out.length - 1;
    for (; i >= 0; i--) {
      if (out[i] === '9') out[i] = '0';
      else { out[i] = String.fromCharCode(out[i].charCodeAt(0) + 1); break; }
    }
    digits = (i < 0 ? '1' : '') + out.join('');
  }
  const intPart = digits.slice(0, digits.length - scale).replace(/^0+(?=\d)/, '');
  const text = scale > 0 ? `${intPart}.${digits.slice(digits.length - scale)}` : intPart;
  return sign === '-' && /[1-9]/.test(digits) ? `-${text}` : text;
}

function decodeDecimal(value: unknown, scale: number | undefined): unknown {
  const text = typeof value === 'number' || typeof value === 'bigint' ? String(value) : value;
  return scale === undefined || typeof text !== 'string' ? text : toScale(text, scale);
}

function decodeElement(value: unknown, kind: ValueKind, scale?: number): unknown {
  if (value === null) return null;
  switch (kind) {
    case 'timestamp': return decodeTimestamp(value);
    case 'bigint': return typeof value === 'number' ? String(value) : value;
    case 'numeric': return decodeDecimal(value, scale);
    case 'bytea': return typeof value === 'string' ? Buffer.from(value, 'base64') : value;
    default: return value;
  }
}

/**
 * The SQLite {@link ValueCodec}: generated repositories encode every parameter and decode every result column
 * with it, so reads return the same JS types as on PostgreSQL (Date, boolean, arrays, parsed JSON, strings for
 * bigint/numeric/date). null and undefined encode to SQL NULL.
 * @throws CheckViolationError (encode) for a malformed uuid, bigint, numeric or array, as PostgreSQL would (22P02);
 *   DatabaseError 22007 for an invalid timestamp.
 */
export const sqliteCodec: ValueCodec = {
  encode(value: unknown, type: ColumnType): unknown {
    if (value === null || value === undefined) return null;
    if (type.array) {
      if (!Array.isArray(value)) throw invalidInput(`${type.kind}[]`, value);
      const kind = type.kind;
      return JSON.stringify(value.map((element) => encodeElement(element, kind)));
    }
    switch (type.kind) {
      case 'bool': return typeof value === 'boolean' ? (value ? 1 : 0) : value;
      case 'timestamp': return encodeTimestamp(value);
      case 'date': return value instanceof Date ? value.toISOString().slice(0, 10) : value;
      case 'json': return JSON.stringify(value);
      case 'uuid': return encodeUuid(value);
      case 'bigint': return encodeInt8(value);
      case 'numeric': return encodeNumeric(value);
      case 'int': return typeof value === 'bigint' ? Number(value) : value;
      case 'bytea': return Buffer.isBuffer(value) ? value : value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
      default: return value;
    }
  },

  decoder(type: ColumnType): ((value: unknown) => unknown) | null {
    if (type.array) return (value) => sqliteCodec.decode(value, type);
    switch (type.kind) {
      case 'timestamp': return decodeTimestamp;
      case 'bool': case 'json': case 'bigint': case 'numeric': case 'int': case 'float': return (value) => sqliteCodec.decode(value, type);
      default: return null; // text, uuid, enum, date, bytea: stored as read
    }
  },

  /**
   * bigint/numeric by {@link DECIMAL_KEY_FUNCTION}, enums by their position in `values`; the rest as stored. The
   * rowid key is an INTEGER already: bare, so ORDER BY and the keyset condition use the rowid b-tree.
   */
  sortKey(sql: string, type: ColumnType): string {
    if (type.array || type.rowid) return sql;
    if (type.kind === 'bigint' || type.kind === 'numeric') return `${DECIMAL_KEY_FUNCTION}(${sql})`;
    if (type.kind === 'enum' && type.values) return `CASE ${sql}${type.values.map((v, i) => ` WHEN ${quote(v)} THEN ${i}`).join('')} END`;
    return sql;
  },

  decode(value: unknown, type: ColumnType): unknown {
    if (value === null || value === undefined) return null;
    if (type.array) {
      if (typeof value !== 'string') return value;
      const elements = JSON.parse(value) as unknown[];
      const kind = type.kind;
      if (kind === 'timestamp' || kind === 'bigint' || kind === 'numeric' || kind === 'bytea') {
        for (let i = 0; i < elements.length; i++) elements[i] = decodeElement(elements[i], kind, type.scale);
      }
      return elements;
    }
    switch (type.kind) {
      case 'bool': return typeof value === 'number' || typeof value === 'bigint' ? value !== 0 && value !== 0n : value;
      case 'timestamp': return decodeTimestamp(value);
      case 'json': return typeof value === 'string' ? JSON.parse(value) : value;
      case 'bigint': return typeof value === 'number' || typeof value === 'bigint' ? String(value) : value;
      case 'numeric': return decodeDecimal(value, type.scale);
      case 'int': case 'float': return typeof value === 'bigint' ? Number(value) : value;
      default: return value;
    }
  },
};
