import type { InterpolatedQuery } from '@pgtyped/runtime';
import { getTypes, startup, type IParseError, type IQueryTypes } from '@pgtyped/query';
import { getTypeData, runQuery } from '@pgtyped/query/lib/actions.js';
import { AsyncQueue } from '@pgtyped/wire';

/**
 * pgtyped's description of a query plus, per result column, the table column it comes from unchanged
 * (`schema.table.column`, from RowDescription's table OID and column number), when there is one.
 */
export type DescribedQuery = IQueryTypes & { origins?: (string | undefined)[] };

/** Describes one query (`$n` placeholders) against a database: pgtyped's own signature, faked in tests. */
export type TypeSource = (query: InterpolatedQuery) => Promise<DescribedQuery | IParseError>;

export interface ClosableTypeSource {
  typeOf: TypeSource;
  close(): void;
}

/**
 * `schema.table.column` per RowDescription field (undefined for expressions). pgtyped's `getTypes` reads the
 * same fields but keeps only `attnotnull`; its exported `getTypeData` returns them raw.
 */
async function originsOf(query: string, queue: AsyncQueue): Promise<(string | undefined)[] | undefined> {
  const data = await getTypeData(query, queue);
  if ('errorCode' in data) return undefined;
  const keys = data.fields.map((f) => (f.tableOID > 0 && f.columnAttrNumber > 0 ? `${f.tableOID}:${f.columnAttrNumber}` : undefined));
  const wanted = [...new Set(keys.filter((k): k is string => k !== undefined))];
  if (wanted.length === 0) return keys.map(() => undefined);
  const rows = await runQuery(
    `SELECT a.attrelid || ':' || a.attnum, n.nspname || '.' || c.relname || '.' || a.attname
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE (a.attrelid, a.attnum) IN (${wanted.map((k) => `(${k.replace(':', ', ')})`).join(', ')})`,
    queue,
  );
  const names = new Map(rows.map(([key, name]) => [key, name]));
  return keys.map((k) => (k === undefined ? undefined : names.get(k)));
}

/** A TypeSource backed by pgtyped's wire protocol client (Parse/Describe, nothing is executed). */
export async function pgtypedTypeSource(url: string): Promise<ClosableTypeSource> {
  const u = new URL(url);
  const queue = new AsyncQueue();
  await startup(
    {
      host: u.hostname || '127.0.0.1',
      port: Number(u.port || 5432),
      user: decodeURIComponent(u.username || 'postgres'),
      password: decodeURIComponent(u.password),
      dbName: decodeURIComponent(u.pathname.slice(1) || 'postgres'),
    },
    queue,
  );
  // Parse/Describe/Flush, then Sync: with Nagle's algorithm each small write waits for the server's delayed
  // ACK (~40 ms per query, measured); the second Describe for origins would double that.
  queue.socket.setNoDelay(true);
  return {
    typeOf: async (query) => {
      const types = await getTypes(query, queue);
      if ('errorCode' in types) return types;
      return { ...types, origins: await originsOf(query.query, queue) };
    },
    close: () => queue.socket.end(),
  };
}
