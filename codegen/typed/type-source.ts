import type { InterpolatedQuery } from '@pgtyped/runtime';
import { getTypes, startup, type IParseError, type IQueryTypes } from '@pgtyped/query';
import { AsyncQueue } from '@pgtyped/wire';

/** Describes one query (`$n` placeholders) against a database: pgtyped's own signature, faked in tests. */
export type TypeSource = (query: InterpolatedQuery) => Promise<IQueryTypes | IParseError>;

export interface ClosableTypeSource {
  typeOf: TypeSource;
  close(): void;
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
  return {
    typeOf: (query) => getTypes(query, queue),
    close: () => queue.socket.end(),
  };
}
