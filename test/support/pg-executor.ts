import pg from 'pg';
import type { Executor, QueryOptions, QueryResult } from '../../src/executor.js';
import { postgresCodec } from '../../src/dialect/postgres/codec.js';
import { translatePostgresError } from '../../src/dialect/postgres/errors.js';
import { sqlwrightTypes } from '../../src/dialect/postgres/type-parsers.js';

/**
 * A minimal Executor over one pg.Client, for repository tests and the bench until the runtime's sessions
 * exist. Records every statement it sends, so tests can assert that bad input sent none.
 */
export class PgExecutor implements Executor {
  readonly dialect = 'postgres' as const;
  readonly codec = postgresCodec;
  readonly client: pg.Client;
  /** Statement texts sent, in order. */
  readonly sent: string[] = [];

  private constructor(client: pg.Client) {
    this.client = client;
  }

  static async connect(url: string): Promise<PgExecutor> {
    const client = new pg.Client({ connectionString: url, types: sqlwrightTypes });
    await client.connect();
    return new PgExecutor(client);
  }

  async query<R = Record<string, unknown>>(text: string, params: readonly unknown[] = [], options: QueryOptions = {}): Promise<QueryResult<R>> {
    this.sent.push(text);
    try {
      const result = await this.client.query({ text, values: params as unknown[], name: options.name });
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    } catch (error) {
      throw translatePostgresError(error, text);
    }
  }

  async end(): Promise<void> {
    await this.client.end();
  }
}
