// Shared by the examples: open the database from config.yaml + environment (DATABASE_URL; with nothing set,
// development uses a SQLite file, ./database.db) with the generated repositories, and create the tables.
import { Repositories } from '../generated/index.js';
import { createJsonLogger, loadConfig, openDatabase, type Database } from '../src/index.js';
import { ensureSchema } from '../src/setup.js';
import { redactUrl } from '../src/redact.js';

export async function openExampleDatabase(): Promise<Database<Repositories>> {
  const config = loadConfig();
  const db = openDatabase(config, {
    repositories: (executor) => new Repositories(executor),
    // examples print for people; keep the JSON logs for warnings and errors
    logger: createJsonLogger({ level: 'warn' }),
  });
  await ensureSchema(db);
  console.log(`database: ${db.dialect} (${redactUrl(config.databases[0].url)})`);
  return db;
}

/** A value unique to this run, so examples can run again and again on the same database. */
export const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
