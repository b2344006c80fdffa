import pg from 'pg';
import type { DatabaseConfig } from '../../config/load.js';
import type { Dialect, DialectConnection } from '../dialect.js';
import type { PoolStatus } from '../../errors.js';
import type { Logger } from '../../log.js';
import { createPool, destroySocket, type Pool, type PoolMetrics } from '../../pool/index.js';
import { postgresCodec } from './codec.js';
import { PostgresConnection, type PostgresConnectionSettings } from './connection.js';
import { checkPostgresUrl, sslModeInUrl } from '../../config/url.js';
import { tlsOptionsFor, withoutSslParams } from './tls.js';
import { sqlwrightTypes } from './type-parsers.js';

export interface PostgresDialectOptions {
  /** Overrides the URL of `config` (read-only role, a replica). */
  url?: string;
  password?: string;
  logger?: Logger;
  /** Pool name in logs and metrics. */
  name?: string;
}

/** PostgreSQL through `pg.Client` and our pool. */
export class PostgresDialect implements Dialect {
  readonly name = 'postgres' as const;
  readonly codec = postgresCodec;
  readonly pool: Pool;
  readonly #settings: PostgresConnectionSettings;

  constructor(config: DatabaseConfig, options: PostgresDialectOptions = {}) {
    const password = options.url ? options.password : (options.password ?? config.password);
    const url = options.url ?? config.url;
    // Config URLs are checked on load; this covers URLs handed in directly, never quoting them (passwords).
    checkPostgresUrl(url, options.url ? `${options.name ?? config.name} url` : `${config.name} url`);
    const connectionString = withPassword(withoutSslParams(url), password);
    // This pool's own URL decides its TLS mode: a read-only or replica URL may ask for more (or less) than the main one.
    const ssl = tlsOptionsFor(config.ssl, sslModeInUrl(url) ?? config.ssl.mode);
    const connectTimeoutMs = Math.min(config.poolTimeoutMs || 10_000, 10_000);
    this.#settings = {
      preparedStatements: config.preparedStatements,
      perTransactionSettings: config.pgbouncer,
      statementTimeoutMs: config.statementTimeoutMs,
    };
    this.pool = createPool({
      name: options.name ?? config.name,
      connect: async (signal) => {
        const client = new pg.Client({
          connectionString,
          ssl,
          types: sqlwrightTypes,
          application_name: `sqlwright:${options.name ?? config.name}`,
          connectionTimeoutMillis: connectTimeoutMs,
        });
        // The pool gave up on this connect (pg's own connectionTimeoutMillis is only a second line of defence),
        // or it failed in the client mid-handshake (no password for SCRAM, a TLS check): close the socket now.
        const destroy = () => destroySocket(client);
        signal.addEventListener('abort', destroy, { once: true });
        try {
          await client.connect();
        } catch (error) {
          destroy();
          throw error;
        }
        return client;
      },
      poolSize: config.poolSize,
      maxOverflow: config.maxOverflow,
      poolTimeoutMs: config.poolTimeoutMs,
      recycleMs: config.recycleMs,
      prePing: config.prePing,
      statementTimeoutMs: config.statementTimeoutMs,
      sessionSettings: !config.pgbouncer,
      connectTimeoutMs,
      logger: options.logger,
    });
  }

  async acquire(): Promise<DialectConnection> {
    return new PostgresConnection(await this.pool.acquire(), this.#settings);
  }

  async exec(script: string): Promise<void> {
    // Without parameters pg uses the simple query protocol, which runs several statements in one message.
    const connection = await this.acquire();
    try {
      await connection.query(script);
    } finally {
      connection.release();
    }
  }

  status(): PoolStatus {
    return this.pool.status();
  }

  metrics(): PoolMetrics {
    return this.pool.metrics();
  }

  close(timeoutMs?: number): Promise<void> {
    return this.pool.end(timeoutMs);
  }
}

/** pg lets the URL's (empty) password override a `password` option, so a password from a file goes into the URL. */
function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
}
