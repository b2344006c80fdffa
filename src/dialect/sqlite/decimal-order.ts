/**
 * bigint and numeric are stored as decimal TEXT, which SQLite compares as text ('10' < '9'). `decimalSortKey`
 * turns a decimal into text that compares (byte-wise) as the numbers do, exactly at any size: the dialect registers
 * it as the SQL function `sqlwright_decimal_key`, and `list()` orders and pages by it (codec.ts `sortKey`).
 *
 * Layout: a class letter, then for finite non-zero values the decimal exponent (offset, fixed width) and the
 * significant digits. Negative values complement both, and end in '~' so that a longer digit string (a larger
 * magnitude) sorts first. As PostgreSQL orders numeric: -Infinity < negatives < 0 < positives < Infinity < NaN.
 */

const DECIMAL = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;
/** Exponents are offset into 7 digits: numeric has at most 131072 digits before the point and 16383 after. */
const OFFSET = 5_000_000;

function complement(digits: string): string {
  let out = '';
  for (let i = 0; i < digits.length; i++) out += String.fromCharCode(105 - digits.charCodeAt(i)); // '0'..'9' -> '9'..'0'
  return out;
}

/** The sort key of a decimal (A -Infinity, B negative, C zero, D positive, E Infinity, F NaN) (text, or a number or bigint SQLite computed); null for NULL and for non-numbers. */
export function decimalSortKey(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value : String(value);
  if (/^\s*NaN\s*$/i.test(text)) return 'F';
  if (/^\s*\+?Infinity\s*$/i.test(text)) return 'E';
  if (/^\s*-Infinity\s*$/i.test(text)) return 'A';
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const all = m[2] + (m[3] ?? '');
  const first = all.search(/[1-9]/);
  if (first < 0) return 'C';
  // value = 0.<significant> x 10^exponent
  const significant = all.slice(first).replace(/0+$/, '');
  const exponent = m[2].length - first + Number(m[4] ?? 0) + OFFSET;
  const head = String(exponent).padStart(7, '0');
  return m[1] === '-' ? `B${complement(head)}${complement(significant)}~` : `D${head}${significant}`;
}
