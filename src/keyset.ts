import { ValidationError } from './errors.js';

/**
 * A keyset cursor: where the previous page ended, as the database's own text for the sort column and the key
 * (`CAST(col AS text)`), so a timestamptz keeps its microseconds (a JS Date would round them and repeat rows).
 */
export interface Cursor {
  /** The sort field and direction the cursor was made for; a cursor is only valid with the same ones. */
  field: string;
  direction: 'asc' | 'desc';
  /** Sort column value, then key value, as text. */
  values: [string | null, string];
}

/** Opaque to callers: base64url of JSON. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.field, cursor.direction, ...cursor.values])).toString('base64url');
}

/** @throws ValidationError when the cursor is malformed or was made for another sort order. */
export function decodeCursor(text: string, field: string, direction: 'asc' | 'desc'): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const ok =
    Array.isArray(parsed) && parsed.length === 4 && typeof parsed[0] === 'string' && (parsed[1] === 'asc' || parsed[1] === 'desc') &&
    (typeof parsed[2] === 'string' || parsed[2] === null) && typeof parsed[3] === 'string';
  if (!ok) throw new ValidationError('invalid cursor', [{ path: ['after'], message: 'not a cursor returned by list()', code: 'invalid_cursor' }]);
  const [f, d, v, k] = parsed as [string, 'asc' | 'desc', string | null, string];
  if (f !== field || d !== direction) {
    throw new ValidationError('cursor does not match the sort order', [
      { path: ['after'], message: `cursor was made for orderBy ${f} ${d}, not ${field} ${direction}`, code: 'invalid_cursor' },
    ]);
  }
  return { field: f, direction: d, values: [v, k] };
}
