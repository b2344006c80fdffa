import { loadConfig, type Config, type DatabaseConfig } from '../../src/config/load.js';
import type { DatabaseFileConfig } from '../../src/config/schema.js';
import type { Logger } from '../../src/log.js';

/** A test-profile config for one database URL, with config.yaml keys overridden. */
export function testConfig(url: string, database: DatabaseFileConfig = {}, env: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({ values: { database: { url, ...database } }, env: { APP_ENV: 'test', ...env } });
}

export function testDatabaseConfig(url: string, database: DatabaseFileConfig = {}): DatabaseConfig {
  return testConfig(url, database).databases[0];
}

export interface CapturedLine {
  level: string;
  msg: string;
  obj: Record<string, unknown>;
}

/** A logger that keeps every line, and the whole output as text to search for secrets. */
export function captureLogger(): Logger & { lines: CapturedLine[]; text(): string } {
  const lines: CapturedLine[] = [];
  const push = (level: string) => (obj: object, msg: string) => lines.push({ level, msg, obj: obj as Record<string, unknown> });
  return {
    lines,
    debug: push('debug'),
    info: push('info'),
    warn: push('warn'),
    error: push('error'),
    text: () => lines.map((l) => `${l.level} ${l.msg} ${JSON.stringify(l.obj)}`).join('\n'),
  };
}
