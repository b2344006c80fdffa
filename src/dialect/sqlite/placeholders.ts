import { DatabaseError } from '../../errors.js';

/** A statement with PostgreSQL `$n` placeholders rewritten for SQLite. */
export interface TranslatedSql {
  /** The text with every `$n` replaced by an anonymous `?` (and `CURRENT_TIMESTAMP` by `now()`). */
  sql: string;
  /**
   * For each `?` in order, the 0-based index of the caller's parameter it binds; `null` when that is simply
   * 0, 1, 2, … (each `$n` once, in order), so the caller's array can be bound as it is.
   */
  order: number[] | null;
  /** The highest `$n`: how many parameters the statement takes, as PostgreSQL counts them. */
  paramCount: number;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
/** Characters that continue an identifier in PostgreSQL (`$` included: `a$1` is one identifier, not `a` + `$1`). */
const isIdentChar = (c: number) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;

/**
 * Rewrites `$1..$n` to `?` and records which parameter each binds. String literals (`'…'`, `E'…'`, `$tag$…$tag$`),
 * quoted identifiers (`"…"`) and comments (`--`, nested `/* *\/`) are copied untouched, so `'$1'` stays text.
 *
 * `CURRENT_TIMESTAMP` becomes `now()`: in PostgreSQL both are the transaction's start time, while SQLite's
 * keyword gives 'YYYY-MM-DD HH:MM:SS' (no milliseconds, no zone), which is not the timestamp storage format and
 * would sort wrongly against it.
 *
 * Why anonymous `?` rather than SQLite's numbered `?NNN`: better-sqlite3 binds `?NNN` only from an object keyed
 * by number, which measured 10–15% slower per get-by-id than binding an array to `?`; repeated or out-of-order
 * `$n` are handled by `order` instead.
 * @throws DatabaseError for `$0` or a gap in the numbering (PostgreSQL rejects both too).
 */
export function translatePlaceholders(text: string): TranslatedSql {
  const order: number[] = [];
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 39 /* ' */) {
      const backslashes = i > 0 && (text[i - 1] === 'E' || text[i - 1] === 'e') && (i < 2 || !isIdentChar(text.charCodeAt(i - 2)));
      i = skipQuoted(text, i, 39, backslashes);
    } else if (c === 34 /* " */) {
      i = skipQuoted(text, i, 34, false);
    } else if (c === 45 /* - */ && text.charCodeAt(i + 1) === 45) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
      i = skipBlockComment(text, i);
    } else if (c === 36 /* $ */ && (i === 0 || !isIdentChar(text.charCodeAt(i - 1)))) {
      if (isDigit(text.charCodeAt(i + 1))) {
        let j = i + 1;
        while (j < n && isDigit(text.charCodeAt(j))) j++;
        const index = Number(text.slice(i + 1, j));
        if (index === 0) throw new DatabaseError(`there is no parameter $0`, { sql: text, sqlState: '42P02' });
        out += text.slice(copiedUpTo, i) + '?';
        copiedUpTo = j;
        order.push(index - 1);
        i = j;
      } else {
        i = skipDollarQuoted(text, i);
      }
    } else if ((c === 67 || c === 99) /* C c */ && isCurrentTimestamp(text, i)) {
      out += text.slice(copiedUpTo, i) + 'now()';
      i += CURRENT_TIMESTAMP.length;
      copiedUpTo = i;
    } else {
      i++;
    }
  }
  if (copiedUpTo === 0) return { sql: text, order: null, paramCount: 0 };
  out += text.slice(copiedUpTo);
  if (order.length === 0) return { sql: out, order: null, paramCount: 0 };
  const paramCount = Math.max(...order) + 1;
  const used = new Set(order);
  for (let k = 0; k < paramCount; k++) {
    if (!used.has(k)) {
      throw new DatabaseError(`could not determine data type of parameter $${k + 1} (it is never used)`, { sql: text, sqlState: '42P18' });
    }
  }
  const identity = order.length === paramCount && order.every((v, k) => v === k);
  return { sql: out, order: identity ? null : order, paramCount };
}

const CURRENT_TIMESTAMP = 'CURRENT_TIMESTAMP';

function isCurrentTimestamp(text: string, i: number): boolean {
  const end = i + CURRENT_TIMESTAMP.length;
  return (i === 0 || !isIdentChar(text.charCodeAt(i - 1)))
    && (end >= text.length || !isIdentChar(text.charCodeAt(end)))
    && text.slice(i, end).toUpperCase() === CURRENT_TIMESTAMP;
}

/** Skips a quoted run starting at `start`; a doubled quote is an escaped quote (and `\x` too in `E'…'`). */
function skipQuoted(text: string, start: number, quote: number, backslashes: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (backslashes && c === 92 /* \ */) i += 2;
    else if (c === quote) {
      if (text.charCodeAt(i + 1) === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return text.length;
}

/** PostgreSQL block comments nest. */
function skipBlockComment(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    if (text.charCodeAt(i) === 47 && text.charCodeAt(i + 1) === 42) { depth++; i += 2; }
    else if (text.charCodeAt(i) === 42 && text.charCodeAt(i + 1) === 47) { depth--; i += 2; if (depth === 0) return i; }
    else i++;
  }
  return text.length;
}

/** `$$…$$` or `$tag$…$tag$`; a lone `$` is just skipped. */
function skipDollarQuoted(text: string, start: number): number {
  const match = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(start, start + 66));
  if (!match) return start + 1;
  const end = text.indexOf(match[0], start + match[0].length);
  return end < 0 ? text.length : end + match[0].length;
}
