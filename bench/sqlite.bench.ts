/**
 * SQLite overhead of the real SDK: the generated `Repositories` over `openDatabase` on SQLite (`users.get(id)` and
 * `users.create`: input validation, the runtime's statement, acquire, `$n` translation, codec, release, row
 * mapping) against the same statements run directly on better-sqlite3, in one run, with the same schema
 * (generated/sqlite/schema.sql) and settings on both sides: first in memory (the dialect's CPU overhead
 * alone), then on files (WAL, synchronous=NORMAL, FKs on: what development runs). Prints ops/s and the ratio
 * (dialect time / direct time); the target is within 1.5x. File inserts are dominated by WAL writes, so their
 * numbers vary more from run to run than the in-memory ones.
 *
 * Run: npx tsx bench/sqlite.bench.ts   (or import and call `run()`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { Repositories } from '../generated/index.js';
import { loadConfig } from '../src/config/load.js';
import { openDatabase } from '../src/database.js';
import type { ColumnType } from '../src/executor.js';
import { createJsonLogger } from '../src/log.js';
import { packageRoot } from '../src/package-root.js';
import { ensureSchema } from '../src/setup.js';
import { sqliteCodec } from '../src/dialect/sqlite/index.js';

const SCHEMA = readFileSync(path.join(packageRoot(), 'generated/sqlite/schema.sql'), 'utf8');

/** The users columns as generated code describes them (repository-runtime's ColumnDescriptor shape). */
const COLUMNS: { field: string; column: string; type: ColumnType }[] = [
  { field: 'id', column: 'id', type: { kind: 'uuid' } },
  { field: 'firstName', column: 'first_name', type: { kind: 'text' } },
  { field: 'lastName', column: 'last_name', type: { kind: 'text' } },
  { field: 'email', column: 'email', type: { kind: 'text' } },
  { field: 'createdAt', column: 'created_at', type: { kind: 'timestamp' } },
  { field: 'updatedAt', column: 'updated_at', type: { kind: 'timestamp' } },
];
const GET = 'SELECT id, first_name, last_name, email, created_at, updated_at FROM app.users WHERE id = $1';
const INSERT = 'INSERT INTO app.users (first_name, last_name, email) VALUES ($1, $2, $3) RETURNING id, first_name, last_name, email, created_at, updated_at';
const SEED = 10_000;
const ROUNDS = 9;
const GETS_PER_ROUND = 20_000;
const INSERTS_PER_ROUND = 4_000;

/** What a generated repository does with a row: decode every column by its type. */
function decodeRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of COLUMNS) out[c.field] = sqliteCodec.decode(row[c.column], c.type);
  return out;
}

function openDirect(file: string): Database.Database {
  const db = new Database(':memory:');
  db.prepare('ATTACH DATABASE ? AS app').run(file);
  db.pragma('app.journal_mode = WAL');
  db.pragma('app.synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.function('gen_random_uuid', { deterministic: false }, () => randomUUID());
  db.function('now', { deterministic: false }, () => new Date().toISOString());
  return db;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Result { storage: string; op: string; dialectOps: number; directOps: number; ratio: number; dialectShare: number }

async function measure(storage: 'memory' | 'file', dir: string): Promise<Result[]> {
  const url = storage === 'memory' ? 'sqlite::memory:' : `sqlite:///${path.join(dir, 'sdk.db')}`;
  const db = openDatabase(loadConfig({ values: { database: { url } }, env: { APP_ENV: 'development' } }), {
    repositories: (executor) => new Repositories(executor),
    logger: createJsonLogger({ level: 'warn' }),
  });
  const direct = openDirect(storage === 'memory' ? ':memory:' : path.join(dir, 'direct.db'));
  try {
    await ensureSchema(db);
    direct.exec(SCHEMA);
    const seed = direct.prepare('INSERT INTO app.users (first_name, last_name, email) VALUES (?, ?, ?)');
    direct.transaction(() => { for (let i = 0; i < SEED; i++) seed.run('Ada', 'Lovelace', `seed${i}@example.com`); })();
    await db.transaction(async (repos) => {
      for (let i = 0; i < SEED; i += 1000) {
        await repos.users.createMany(Array.from({ length: 1000 }, (_, k) => ({ firstName: 'Ada', lastName: 'Lovelace', email: `seed${i + k}@example.com` })));
      }
    });
    const ids = (await db.executor.query<{ id: string }>('SELECT id FROM app.users')).rows.map((r) => r.id);
    const users = db.repositories.users;
    const directIds = (direct.prepare('SELECT id FROM app.users').all() as { id: string }[]).map((r) => r.id);

    const directGet = direct.prepare(GET.replace('$1', '?'));
    const directInsert = direct.prepare(INSERT.replace('$1', '?').replace('$2', '?').replace('$3', '?'));
    const uuid: ColumnType = { kind: 'uuid' };
    const text: ColumnType = { kind: 'text' };
    let serial = 0;

    const ours = {
      async get(n: number) {
        for (let i = 0; i < n; i++) if ((await users.get(ids[i % SEED])) === null) throw new Error('missing row');
      },
      async insert(n: number) {
        for (let i = 0; i < n; i++) await users.create({ firstName: 'Grace', lastName: 'Hopper', email: `b${serial++}@example.com` });
      },
    };
    const raw = {
      get(n: number) { for (let i = 0; i < n; i++) directGet.get(directIds[i % SEED]); },
      // `.all()`, not `.get()`: `.get()` resets an INSERT … RETURNING before it reaches SQLITE_DONE, and SQLite runs
      // the WAL auto-checkpoint only on DONE, so `.get()` skips checkpoints and the WAL grows without bound
      // (measured: 275 MB after 20,000 inserts, against 4 MB with `.all()`). That is not the same work.
      insert(n: number) { for (let i = 0; i < n; i++) directInsert.all('Grace', 'Hopper', `b${serial++}@example.com`); },
    };

    /**
     * The repository's own work (async call, encode, `all`, decode) done the plain way on raw better-sqlite3, with
     * object rows: isolates the dialect's share. The SDK's get(id) asks for its row as an array and stops after it
     * (SqliteQueryOptions), so it can come in under 1.0x here.
     */
    const rawRepo = {
      async get(n: number) {
        for (let i = 0; i < n; i++) decodeRow((await Promise.resolve(directGet.all(sqliteCodec.encode(directIds[i % SEED], uuid))) as Record<string, unknown>[])[0]);
      },
      async insert(n: number) {
        for (let i = 0; i < n; i++) {
          const rows = await Promise.resolve(directInsert.all(sqliteCodec.encode('Grace', text), sqliteCodec.encode('Hopper', text), sqliteCodec.encode(`b${serial++}@example.com`, text)));
          decodeRow((rows as Record<string, unknown>[])[0]);
        }
      },
    };

    const results: Result[] = [];
    for (const [op, key, count] of [['get(id)', 'get', GETS_PER_ROUND], ['create', 'insert', INSERTS_PER_ROUND]] as const) {
      await ours[key](count / 4); raw[key](count / 4); // warm up both paths (JIT, statement cache)
      await rawRepo[key](count / 4);
      const oursMs: number[] = [];
      const rawMs: number[] = [];
      const repoMs: number[] = [];
      for (let round = 0; round < ROUNDS; round++) { // interleaved, alternating who goes first, so drift hits both alike
        const timeOurs = async () => { const t = performance.now(); await ours[key](count); oursMs.push(performance.now() - t); };
        const timeRaw = () => { const t = performance.now(); raw[key](count); rawMs.push(performance.now() - t); };
        const timeRepo = async () => { const t = performance.now(); await rawRepo[key](count); repoMs.push(performance.now() - t); };
        if (round % 2 === 0) { await timeOurs(); timeRaw(); await timeRepo(); } else { await timeRepo(); timeRaw(); await timeOurs(); }
      }
      const o = median(oursMs), r = median(rawMs), p = median(repoMs);
      results.push({ storage, op, dialectOps: Math.round((count / o) * 1000), directOps: Math.round((count / r) * 1000), ratio: o / r, dialectShare: o / p });
    }
    return results;
  } finally {
    direct.close();
    await db.close();
  }
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sqlwright-bench-'));
  try {
    const results = [...await measure('memory', dir), ...await measure('file', dir)];
    console.log(`SQLite: generated repositories over openDatabase vs the same statements on better-sqlite3 directly; median of ${ROUNDS} interleaved rounds`);
    for (const { storage, op, dialectOps, directOps, ratio, dialectShare } of results) {
      const fmt = (n: number) => n.toLocaleString('en-US').padStart(9);
      console.log(`  ${storage.padEnd(6)} ${op.padEnd(8)} sdk ${fmt(dialectOps)} ops/s   direct ${fmt(directOps)} ops/s   ratio ${ratio.toFixed(2)}x${ratio <= 1.5 ? '' : ' (over 1.5x)'}` +
        `   [vs the same codec work on raw better-sqlite3: ${dialectShare.toFixed(2)}x]`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await run();
}
