import type { ValueKind } from '../../src/executor.js';

/** How one PostgreSQL base type appears in generated code. Zod expressions use `z` and `t` (src/column-schemas.ts). */
export interface TypeMapping {
  kind: ValueKind;
  /** The zod schema of a value as read. */
  read: string;
  /** The zod schema of a value as accepted on input (defaults to `read`). */
  input?: string;
  /** Whether `list({ where })` may compare it with `=` and `orderBy` may sort by it. */
  comparable: boolean;
}

/** The type map: `pg_type.typname` -> mapping. A type not listed here fails codegen. */
export const PG_TYPES: Readonly<Record<string, TypeMapping>> = {
  text: { kind: 'text', read: 'z.string()', comparable: true },
  varchar: { kind: 'text', read: 'z.string()', comparable: true },
  bpchar: { kind: 'text', read: 'z.string()', comparable: true },
  citext: { kind: 'text', read: 'z.string()', comparable: true },
  uuid: { kind: 'uuid', read: 't.uuid', input: 't.uuidInput', comparable: true },
  int2: { kind: 'int', read: 't.int2', comparable: true },
  int4: { kind: 'int', read: 't.int4', comparable: true },
  int8: { kind: 'bigint', read: 't.int8', input: 't.int8Input', comparable: true },
  numeric: { kind: 'numeric', read: 't.decimal', input: 't.decimalInput', comparable: true },
  float4: { kind: 'float', read: 'z.number()', comparable: true },
  float8: { kind: 'float', read: 'z.number()', comparable: true },
  bool: { kind: 'bool', read: 'z.boolean()', comparable: true },
  date: { kind: 'date', read: 't.date', comparable: true },
  timestamp: { kind: 'timestamp', read: 't.timestamp', input: 't.timestampInput', comparable: true },
  timestamptz: { kind: 'timestamp', read: 't.timestamp', input: 't.timestampInput', comparable: true },
  json: { kind: 'json', read: 't.json', comparable: false },
  jsonb: { kind: 'json', read: 't.json', comparable: false },
  bytea: { kind: 'bytea', read: 't.bytes', comparable: false },
};

export function baseMapping(typname: string): TypeMapping | undefined {
  return Object.hasOwn(PG_TYPES, typname) ? PG_TYPES[typname] : undefined;
}
