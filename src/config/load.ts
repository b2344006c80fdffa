import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configFileSchema, type ConfigFile, type DatabaseFileConfig, type SslMode } from './schema.js';
import { COMMON_DEFAULTS, DEFAULT_DEVELOPMENT_URL, PROFILE_DEFAULTS, type Profile } from './profiles.js';
import { ConfigError } from './errors.js';
import { checkPostgresUrl, isPostgresUrl, sslModeInUrl } from './url.js';

export { ConfigError };

export interface SslConfig {
  /** For the main URL; a read-only or replica URL with its own `?sslmode=` uses that instead (see sslModeInUrl). */
  mode: SslMode;
  ca?: string;
  cert?: string;
  /** Private key contents; not enumerable, so it never reaches JSON or logs. */
  key?: string;
  allowInsecure: boolean;
}

/** One database, resolved: defaults applied, secrets read, times in milliseconds. */
export interface DatabaseConfig {
  name: string;
  /** Connection URL; never log it as is (see redactUrl). */
  url: string;
  /** From password_file; not enumerable. */
  password?: string;
  readOnlyUrl?: string;
  readOnlyPassword?: string;
  poolSize: number;
  maxOverflow: number;
  poolTimeoutMs: number;
  recycleMs: number;
  prePing: boolean;
  statementTimeoutMs: number;
  slowQueryMs: number;
  echo: boolean;
  preparedStatements: 'named' | 'unnamed';
  pgbouncer: boolean;
  ssl: SslConfig;
  /** Replica URLs for db.readOnly(); each gets its own pool. */
  replicas: string[];
  /** A replica further behind than this is taken out of rotation. */
  replicaMaxLagMs: number;
  /** How long a replica stays out of rotation before it is tried again. */
  replicaRetryMs: number;
  /** With no replica left: read from the primary, or fail with DatabaseUnavailableError. */
  replicaFallback: 'primary' | 'fail';
}

export interface Config {
  profile: Profile;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** `app` (from `database:`) first, then the others in file order. */
  databases: DatabaseConfig[];
}

export interface LoadConfigOptions {
  /** config.yaml path; default CONFIG_FILE or ./config.yaml when present. */
  file?: string;
  /** Parsed config instead of a file (tests, programmatic use). */
  values?: unknown;
  env?: NodeJS.ProcessEnv;
}

function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((issue) => {
      const key = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      const unknownKeys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
      return `${key || '(root)'}: ${issue.message}${unknownKeys}`;
    })
    .join('; ');
}

function readSecret(file: string, key: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new ConfigError(`${key}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}

function readPem(file: string | undefined, key: string): string | undefined {
  return file === undefined ? undefined : readSecret(file, key);
}

function hidden<T extends object>(target: T, key: string, value: string | undefined): void {
  if (value !== undefined) Object.defineProperty(target, key, { value, enumerable: false, writable: false });
}

/** Every connection URL of one database with its config key: main, read-only, replicas. */
function urlsOf(raw: DatabaseFileConfig, url: string, key: string): { url: string; key: string }[] {
  return [
    { url, key: `${key}.url` },
    ...(raw.read_only_url ? [{ url: raw.read_only_url, key: `${key}.read_only_url` }] : []),
    ...(raw.replicas ?? []).map((replica, i) => ({ url: replica, key: `${key}.replicas.${i}` })),
  ];
}

/**
 * Each URL's `?sslmode=` wins for its own pool (see sslModeInUrl), so the production profile's TLS rule is
 * checked for every URL, not just the main one.
 * @throws ConfigError naming the key of the first URL that would connect without TLS.
 */
function checkProductionTls(urls: { url: string; key: string }[], ssl: SslConfig, key: string): void {
  if (ssl.allowInsecure) return;
  for (const { url, key: urlKey } of urls.filter((u) => isPostgresUrl(u.url))) {
    const mode = sslModeInUrl(url) ?? ssl.mode;
    if (mode !== 'disable' && mode !== 'prefer') continue;
    const where = sslModeInUrl(url) ? `${urlKey} (sslmode=${mode})` : `${key}.ssl.mode`;
    throw new ConfigError(
      `${where}: the production profile requires TLS (require, verify-ca or verify-full), got ${mode}; ` +
        `set ${key}.ssl.allow_insecure: true to allow it explicitly`,
    );
  }
}

function resolveDatabase(name: string, raw: DatabaseFileConfig, profile: Profile, key: string): DatabaseConfig {
  const url = raw.url;
  if (!url) throw new ConfigError(`${key}.url: required (or set DATABASE_URL for the main database)`);
  const urls = urlsOf(raw, url, key);
  for (const u of urls) {
    if (isPostgresUrl(u.url)) checkPostgresUrl(u.url, u.key);
    else if (!u.url.startsWith('sqlite:')) throw new ConfigError(`${u.key}: expected postgresql://… or sqlite:… URL`);
  }
  if (raw.pgbouncer && raw.prepared_statements === 'named') {
    throw new ConfigError(
      `${key}.prepared_statements: 'named' cannot be used with pgbouncer: true (PgBouncer transaction mode hands ` +
        `each transaction a different server connection, where a named statement does not exist); use 'unnamed' or leave it unset`,
    );
  }
  const ssl: SslConfig = {
    // `?sslmode=` in the URL wins over `ssl.mode` in the file, as libpq does.
    mode: url.startsWith('sqlite:') ? 'disable' : (sslModeInUrl(url) ?? raw.ssl?.mode ?? PROFILE_DEFAULTS[profile].ssl_mode),
    ca: readPem(raw.ssl?.ca_file, `${key}.ssl.ca_file`),
    cert: readPem(raw.ssl?.cert_file, `${key}.ssl.cert_file`),
    allowInsecure: raw.ssl?.allow_insecure ?? false,
  };
  hidden(ssl, 'key', readPem(raw.ssl?.key_file, `${key}.ssl.key_file`));
  if (profile === 'production') checkProductionTls(urls, ssl, key);
  const config: DatabaseConfig = {
    name,
    url,
    readOnlyUrl: raw.read_only_url,
    poolSize: raw.pool_size ?? PROFILE_DEFAULTS[profile].pool_size,
    maxOverflow: raw.max_overflow ?? COMMON_DEFAULTS.max_overflow,
    poolTimeoutMs: (raw.pool_timeout ?? COMMON_DEFAULTS.pool_timeout) * 1000,
    recycleMs: (raw.pool_recycle ?? COMMON_DEFAULTS.pool_recycle) * 1000,
    prePing: raw.pre_ping ?? COMMON_DEFAULTS.pre_ping,
    statementTimeoutMs: (raw.statement_timeout ?? COMMON_DEFAULTS.statement_timeout) * 1000,
    slowQueryMs: raw.slow_query_ms ?? COMMON_DEFAULTS.slow_query_ms,
    echo: raw.echo ?? PROFILE_DEFAULTS[profile].echo,
    preparedStatements: raw.prepared_statements ?? (raw.pgbouncer ? 'unnamed' : COMMON_DEFAULTS.prepared_statements),
    pgbouncer: raw.pgbouncer ?? COMMON_DEFAULTS.pgbouncer,
    ssl,
    replicas: raw.replicas ?? [],
    replicaMaxLagMs: (raw.replica_max_lag ?? COMMON_DEFAULTS.replica_max_lag) * 1000,
    replicaRetryMs: (raw.replica_retry ?? COMMON_DEFAULTS.replica_retry) * 1000,
    replicaFallback: raw.replica_fallback ?? COMMON_DEFAULTS.replica_fallback,
  };
  hidden(config, 'password', raw.password_file ? readSecret(raw.password_file, `${key}.password_file`) : undefined);
  hidden(config, 'readOnlyPassword', raw.read_only_password_file ? readSecret(raw.read_only_password_file, `${key}.read_only_password_file`) : undefined);
  return config;
}

function readConfigFile(options: LoadConfigOptions, env: NodeJS.ProcessEnv): unknown {
  if (options.values !== undefined) return options.values;
  const file = options.file ?? env.CONFIG_FILE ?? (existsSync('config.yaml') ? 'config.yaml' : undefined);
  if (!file) return {};
  try {
    return parseYaml(readFileSync(path.resolve(file), 'utf8')) ?? {};
  } catch (error) {
    throw new ConfigError(`${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Loads config.yaml, applies the APP_ENV profile, then environment overrides (DATABASE_URL,
 * DATABASE_PASSWORD_FILE, DATABASE_READ_ONLY_URL), reads secret files, and validates.
 * @throws ConfigError naming the key and what was expected.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const profile = (env.APP_ENV ?? 'development') as Profile;
  if (!['development', 'test', 'production'].includes(profile)) {
    throw new ConfigError(`APP_ENV: expected development, test or production, got ${JSON.stringify(env.APP_ENV)}`);
  }
  const parsed = configFileSchema.safeParse(readConfigFile(options, env));
  if (!parsed.success) throw new ConfigError(`invalid config: ${describeIssues(parsed.error, '')}`);
  const file: ConfigFile = parsed.data;

  const main: DatabaseFileConfig = { ...file.database };
  if (env.DATABASE_URL) main.url = env.DATABASE_URL;
  if (env.DATABASE_PASSWORD_FILE) main.password_file = env.DATABASE_PASSWORD_FILE;
  if (env.DATABASE_READ_ONLY_URL) main.read_only_url = env.DATABASE_READ_ONLY_URL;
  if (env.DATABASE_REPLICA_URLS) main.replicas = env.DATABASE_REPLICA_URLS.split(',').map((u) => u.trim()).filter(Boolean);
  if (!main.url && profile !== 'production') main.url = DEFAULT_DEVELOPMENT_URL;

  const databases = [resolveDatabase('app', main, profile, 'database')];
  for (const [name, raw] of Object.entries(file.databases ?? {})) {
    if (name === 'app') throw new ConfigError(`databases.app: the main database is configured under database:`);
    databases.push(resolveDatabase(name, raw, profile, `databases.${name}`));
  }
  return { profile, logLevel: file.log_level ?? PROFILE_DEFAULTS[profile].log_level, databases };
}
