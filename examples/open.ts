// Shared by the examples: open the database from config.yaml + environment (DATABASE_URL; with nothing set,
// development uses a SQLite file, ./database.db) with the generated repositories, and create the tables.
import { Repositories } from '../generated/index.js';
import { loadConfig, openDatabase, type Database, type Logger } from '../src/index.js';
import { ensureSchema } from '../src/setup.js';
import { redactUrl } from '../src/redact.js';

/**
 * Examples print for people: warnings and errors as one short line on stderr instead of JSON (a service keeps
 * the JSON logger). Some examples fail on purpose, so sqlwright's `Database transaction failed` shows up here.
 */
function logLine(level: 'warn' | 'error') {
  return (obj: object, msg: string) => {
    const { error_type: type, error_message: message } = obj as { error_type?: string; error_message?: string };
    console.error(`  (log ${level}: ${msg}${type ? `, ${type}: ${message}` : ''})`);
  };
}

const exampleLogger: Logger = { debug() {}, info() {}, warn: logLine('warn'), error: logLine('error'), isLevelEnabled: (level) => level === 'warn' || level === 'error' };

export async function openExampleDatabase(): Promise<Database<Repositories>> {
  const config = loadConfig();
  const db = openDatabase(config, {
    repositories: (executor) => new Repositories(executor),
    logger: exampleLogger,
  });
  await ensureSchema(db);
  console.log(`database: ${db.dialect} (${redactUrl(config.databases[0].url)})`);
  return db;
}

/** A value unique to this run, so examples can run again and again on the same database. */
export const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
