// sqlwright's public runtime surface. Generated repositories are exported from `sqlwright/generated`.
export { openDatabase, openDatabases, getDefaultDatabase, closeDefaultDatabase, Database, Databases } from './database.js';
export type { OpenDatabaseOptions, RepositoriesFactory, HealthCheckOptions } from './database.js';
export type { Scope, TransactionOptions, RetryOptions } from './transaction.js';
export type { HealthReport } from './health.js';
export { loadConfig, ConfigError } from './config/load.js';
export type { Config, DatabaseConfig, SslConfig, LoadConfigOptions } from './config/load.js';
export * from './errors.js';
export type { Executor, QueryResult, QueryOptions, ValueCodec, ColumnType, ValueKind, DialectName } from './executor.js';
export type { Dialect, DialectConnection, BeginOptions, IsolationLevel } from './dialect/dialect.js';
export { createJsonLogger, redactingLogger, redact, silentLogger, type Logger } from './log.js';
export { redactUrl } from './redact.js';
export { Migrator } from './migrate/migrator.js';
export { ensureSchema, type EnsureSchemaOptions } from './setup.js';
