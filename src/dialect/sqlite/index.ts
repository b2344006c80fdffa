export { createSqliteDialect, SqliteDialect, type SqliteDialectOptions } from './dialect.js';
export { SqliteConnection } from './connection.js';
export { sqliteCodec } from './codec.js';
export { translateSqliteError } from './errors.js';
export { parseSqliteUrl, isSqliteUrl, type SqliteLocation } from './url.js';
export { translatePlaceholders, type TranslatedSql } from './placeholders.js';
export type { StatementCacheStats } from './statement-cache.js';
