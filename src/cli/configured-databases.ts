import { loadConfig, type DatabaseConfig } from '../config/load.js';
import { DEFAULT_DEVELOPMENT_URL } from '../config/profiles.js';
import { isPostgresUrl } from '../config/url.js';

/** The databases config.yaml (or CONFIG_FILE) and the environment name, as the application would open them. */
export interface ConfiguredDatabases {
  /** The main database (`database:`, DATABASE_URL or --url), with its password file and TLS settings. */
  app: DatabaseConfig;
  /** True when `app` is the development default, the SQLite file ./database.db (no URL set, or set to that one). */
  appIsDefault: boolean;
  /** The `databases:` entries (temporal, ...), in file order. */
  others: DatabaseConfig[];
}

/**
 * Resolves the configuration as loadConfig does. A `url` (the CLIs' --url) replaces only the main database's URL,
 * exactly as DATABASE_URL would: its password_file, ssl settings and the production TLS rule still apply.
 * @throws ConfigError naming the key, as the application would fail on the same configuration.
 */
export function configuredDatabases(env: NodeJS.ProcessEnv, url?: string): ConfiguredDatabases {
  const [app, ...others] = loadConfig({ env: url === undefined ? env : { ...env, DATABASE_URL: url } }).databases;
  return { app, appIsDefault: url === undefined && !env.DATABASE_URL && app.url === DEFAULT_DEVELOPMENT_URL, others };
}

/** The database name in a PostgreSQL URL's path; undefined for SQLite or a URL without one. */
export function databaseNameOf(url: string): string | undefined {
  if (!isPostgresUrl(url)) return undefined;
  return decodeURIComponent(new URL(url).pathname.slice(1)) || undefined;
}
