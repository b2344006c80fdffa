import { z } from 'zod';
// Shared with the SQLite codec, which stores uuids in that form; plain text handling, nothing of SQLite.
import { isCanonicalUuid } from './uuid-text.js';

/**
 * The zod schemas generated entities use for PostgreSQL types that need more than `z.string()`. Each type
 * has a read form (what a row holds) and, where callers may pass something else, an input form that
 * accepts it and converts to the read form. See docs/codegen.md, "Type map".
 */

/** 8-4-4-4-12 hex digits, any version: zod's strict `z.uuid()` rejects fixture ids like 0000…0001. */
export const uuid = z.guid();

/**
 * uuid as input: as `uuid`, in lower case, the form PostgreSQL returns. Keys compare as text where they are matched
 * in JS (getMany) and on SQLite, so `'ABC…'` must become `'abc…'` before it is sent or looked up.
 */
export const uuidInput = uuid.transform((v) => v.toLowerCase());

/** The pattern `z.guid()` checks (zod 4's `guid` regex). Its lower-case form is `isCanonicalUuid`. */
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Shortcuts for `validate` (repository/validate.ts) on hot schemas: when the check returns true, zod would accept the
 * input and return it unchanged, so it is returned without running zod. Anything else goes through zod, which
 * gives the issues. `get(id)` validates a key on every read; this saves most of that.
 */
export const acceptsAsIs = new WeakMap<z.ZodType, (input: unknown) => boolean>([
  [uuid, (input) => typeof input === 'string' && GUID.test(input)],
  [uuidInput, isCanonicalUuid],
]);

export const int2 = z.number().int().min(-32768).max(32767);
export const int4 = z.number().int().min(-2147483648).max(2147483647);

const INTEGER = /^-?\d+$/;
const DECIMAL = /^(-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|NaN|-?Infinity)$/;

/** int8 as read: a string, because a JS number would silently round past 2^53. */
export const int8 = z.string().regex(INTEGER, 'expected an integer string');

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/**
 * int8 as input: an integer string, a safe integer or a bigint, within int8's range (PostgreSQL refuses the rest
 * with 22003; SQLite would store any text, so both dialects refuse it here, before SQL); always sent as the string
 * PostgreSQL would return (`'007'` -> `'7'`).
 */
export const int8Input = z
  .union([int8, z.number().int().refine(Number.isSafeInteger, 'expected a safe integer'), z.bigint()])
  .transform((v) => BigInt(v))
  .refine((n) => n >= INT8_MIN && n <= INT8_MAX, 'out of range for bigint (int8)')
  .transform((n) => n.toString());

/** numeric as read: a string holding the exact decimal. */
export const decimal = z.string().regex(DECIMAL, 'expected a decimal string');
/** numeric as input: a decimal string or a finite number (converted with `String`, which is exact for its digits). */
export const decimalInput = z.union([decimal, z.number().finite()]).transform((v) => String(v));

/** date: 'YYYY-MM-DD', never a Date (a Date would shift the day across time zones). */
export const date = z.iso.date();

/** timestamp / timestamptz as read. */
export const timestamp = z.date();
/** timestamp / timestamptz as input: a Date, or an ISO 8601 string with an offset (`Z` or `+02:00`). */
export const timestampInput = z
  .union([z.date(), z.iso.datetime({ offset: true })])
  .transform((v) => (v instanceof Date ? v : new Date(v)));

/** json / jsonb: any JSON value. */
export const json = z.json();

/** bytea: pg returns a Buffer, which is a Uint8Array. */
export const bytes = z.instanceof(Uint8Array);
