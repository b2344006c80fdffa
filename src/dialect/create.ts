import type { DatabaseConfig } from '../config/load.js';
import { isPostgresUrl } from '../config/url.js';
import type { Logger } from '../log.js';
import type { Dialect } from './dialect.js';
import { PostgresDialect } from './postgres/dialect.js';
import { createSqliteDialect, isSqliteUrl } from './sqlite/index.js';

export interface CreateDialectOptions {
  logger?: Logger;
  /** Connect with the read-only URL and password instead of the main ones. */
  readOnly?: boolean;
  /** Connect to this URL (a replica) with the read-only password, under this pool name. */
  url?: string;
  name?: string;
}

/** Picks the dialect by URL scheme: postgresql:// or postgres:// -> PostgreSQL, sqlite: -> SQLite. */
export function createDialect(config: DatabaseConfig, options: CreateDialectOptions = {}): Dialect {
  const url = options.url ?? (options.readOnly ? config.readOnlyUrl! : config.url);
  const name = options.name ?? (options.readOnly ? `${config.name}-read-only` : config.name);
  // Replicas are read with the read-only role's password when there is one, else the main one.
  const password = options.readOnly ? config.readOnlyPassword : options.url ? (config.readOnlyPassword ?? config.password) : config.password;
  if (isPostgresUrl(url)) {
    return new PostgresDialect(config, { url, password, logger: options.logger, name });
  }
  if (isSqliteUrl(url)) {
    return createSqliteDialect({ url, logger: options.logger, acquireTimeoutMs: config.poolTimeoutMs });
  }
  throw new Error(`unsupported database URL scheme for ${name}: ${url.split(':')[0]}`);
}
