import type { DatabaseFileConfig } from './schema.js';

export type Profile = 'development' | 'test' | 'production';

/** Defaults per APP_ENV, from the service design: development is small and verbose, production large, quiet, TLS. */
export const PROFILE_DEFAULTS: Record<Profile, Required<Pick<DatabaseFileConfig, 'pool_size' | 'echo'>> & { ssl_mode: 'disable' | 'verify-full'; log_level: 'debug' | 'info' | 'warn' }> = {
  development: { pool_size: 5, echo: true, ssl_mode: 'disable', log_level: 'debug' },
  test: { pool_size: 5, echo: false, ssl_mode: 'disable', log_level: 'warn' },
  production: { pool_size: 20, echo: false, ssl_mode: 'verify-full', log_level: 'info' },
};

/** Defaults common to every profile (seconds, as in config.yaml). */
export const COMMON_DEFAULTS = {
  max_overflow: 10,
  pool_timeout: 30,
  pool_recycle: 1800,
  pre_ping: true,
  statement_timeout: 30,
  slow_query_ms: 500,
  prepared_statements: 'named',
  pgbouncer: false,
  replica_max_lag: 10,
  replica_retry: 5,
  replica_fallback: 'primary',
} as const;

/** With no URL anywhere, development runs on a SQLite file: no server needed. */
export const DEFAULT_DEVELOPMENT_URL = 'sqlite:///./database.db';
