import type { ColumnType, ValueCodec } from '../../executor.js';

/**
 * pg already returns the entity types (Date for timestamptz, objects for jsonb, arrays for arrays, strings
 * for int8/numeric/date — the type parsers in connection-config.ts see to that). Only jsonb parameters need
 * help: pg would send a JS array as a PostgreSQL array literal, which is invalid JSON.
 */
export const postgresCodec: ValueCodec = {
  encode(value: unknown, type: ColumnType): unknown {
    if (value === null || value === undefined) return null;
    if (type.kind === 'json' && !type.array) return JSON.stringify(value);
    return value;
  },
  decode(value: unknown): unknown {
    return value;
  },
};
