import { ConfigError } from './errors.js';
import type { SslMode } from './schema.js';

const LIBPQ_SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/**
 * Checks that a postgresql:// URL of config key `key` parses and that its `?sslmode=`, if any, is libpq's.
 * @throws ConfigError naming the key; neither the message nor a cause carries the URL (it may hold a password).
 */
export function checkPostgresUrl(url: string, key: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not chained: the TypeError keeps the whole URL as `input`.
    throw new ConfigError(`${key}: not a valid URL (check the host and port, and percent-encode special characters of the password, e.g. # as %23)`);
  }
  const mode = parsed.searchParams.get('sslmode');
  if (mode !== null && !LIBPQ_SSL_MODES.includes(mode)) throw new ConfigError(`${key}: sslmode=${mode} is not a libpq sslmode`);
}

/**
 * The TLS mode a URL asks for with `?sslmode=`, if any (`allow` as `prefer`). Every pool takes its own URL's,
 * as libpq does; a URL without one gets the database's `ssl.mode`.
 */
export function sslModeInUrl(url: string): SslMode | undefined {
  if (!isPostgresUrl(url)) return undefined;
  const mode = new URL(url).searchParams.get('sslmode');
  return mode === null ? undefined : ((mode === 'allow' ? 'prefer' : mode) as SslMode);
}
