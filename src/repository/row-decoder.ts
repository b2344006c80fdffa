import type { Executor, ValueCodec } from '../executor.js';
import type { ColumnDescriptor } from './descriptors.js';

/** A row as the driver returned it -> the entity shape: camelCase keys, values decoded by the codec. */
export function decodeRow<T>(executor: Executor, row: Record<string, unknown>, columns: readonly ColumnDescriptor[]): T {
  const codec = executor.codec;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i];
    out[c.field] = codec.decode(row[c.column], c.type);
  }
  return out as T;
}

/** A row as the driver returned it, or as an array of its values in `columns` order (`rowMode: 'array'`), to an entity. */
export type RowDecoder = (row: Record<string, unknown> | readonly unknown[]) => unknown;

/**
 * A function equal to `(row) => decodeRow(executor, row, columns)` for one codec, built once: each column's
 * decoding is resolved ahead of time (`ValueCodec.decoder`) instead of switching on its type for every value.
 * It reads a row given as an array by position.
 */
export function compileRowDecoder(codec: ValueCodec, columns: readonly ColumnDescriptor[]): RowDecoder {
  const plan = columns.map((c) => ({ field: c.field, column: c.column, decode: codec.decoder ? codec.decoder(c.type) : (v: unknown) => codec.decode(v, c.type) }));
  return (row) => {
    const byPosition = Array.isArray(row);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < plan.length; i++) {
      const p = plan[i];
      const value = byPosition ? row[i] : (row as Record<string, unknown>)[p.column];
      out[p.field] = value == null ? null : p.decode === null ? value : p.decode(value);
    }
    return out;
  };
}
