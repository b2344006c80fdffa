import { loadConfig, type DatabaseConfig } from '../config/load.js';
import { DEFAULT_DEVELOPMENT_URL } from '../config/profiles.js';
import { isPostgresUrl } from '../config/url.js';

/** The databases config.yaml (or CONFIG_FILE) and the environment name, as the application would open them. */
export interface ConfiguredDatabases {
  /** The main database (`database:` or DATABASE_URL); undefined when only the development SQLite fallback applies. */
  app?: DatabaseConfig;
  /** The `databases:` entries (temporal, ...), in file order. */
  others: DatabaseConfig[];
}

/** @throws ConfigError naming the key, as the application would fail on the same configuration. */
export function configuredDatabases(env: NodeJS.ProcessEnv): ConfiguredDatabases {
  const [app, ...others] = loadConfig({ env }).databases;
  const fallback = !env.DATABASE_URL && app.url === DEFAULT_DEVELOPMENT_URL;
  return { app: fallback ? undefined : app, others };
}

/** The database name in a PostgreSQL URL's path; undefined for SQLite or a URL without one. */
export function databaseNameOf(url: string): string | undefined {
  if (!isPostgresUrl(url)) return undefined;
  return decodeURIComponent(new URL(url).pathname.slice(1)) || undefined;
}
