/**
 * Repository overhead through the real runtime (openDatabase, our pool): `users.get(id)` and `users.create(...)`
 * against the same statements run by hand through pg (same SQL text, same named prepared statement), in one
 * run, as a ratio. Target: <= 1.15x.
 * Also times a codegen run on this repository's schema. `npx tsx bench/repository.bench.ts`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runCodegen } from '../codegen/pipeline.js';
import { Repositories, userSchema } from '../generated/index.js';
import { loadConfig } from '../src/config/load.js';
import { openDatabase, type Database } from '../src/database.js';
import { silentLogger } from '../src/log.js';
import { sqlwrightTypes } from '../src/dialect/postgres/type-parsers.js';
import { Migrator } from '../src/migrate/migrator.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = 7;
const GETS_PER_ROUND = 1500;
const CREATES_PER_ROUND = 600;

const SELECT = 'SELECT id, first_name, last_name, email, created_at, updated_at FROM app.users';
const GET_SQL = `${SELECT} WHERE id = $1`;
const INSERT_SQL = 'INSERT INTO app.users (first_name, last_name, email) VALUES ($1, $2, $3) RETURNING id, first_name, last_name, email, created_at, updated_at';

async function time(ops: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) await op(i);
  return Number(process.hrtime.bigint() - started) / 1000 / ops; // µs per op
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Alternates the variants round by round (so drift hits all alike) and returns the median µs/op of each. */
async function compareVariants(ops: number, variants: Record<string, (i: number) => Promise<unknown>>): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const [, op] of Object.entries(variants)) await time(Math.ceil(ops / 3), op); // warm-up: prepare, JIT
  for (let round = 0; round < ROUNDS; round++) {
    const order = Object.entries(variants);
    if (round % 2 === 1) order.reverse();
    for (const [name, op] of order) samples[name].push(await time(ops, op));
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

export async function run(): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = `sqlwright_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString(), types: sqlwrightTypes });
  let db: Database<Repositories> | undefined;
  try {
    await client.connect();
    await new Migrator(client, { dir: path.join(ROOT, 'sql/schema') }).up();
    // The real runtime, pool included: what a service calls.
    db = openDatabase(loadConfig({ values: { database: { url: url.toString(), pool_size: 1 } }, env: { APP_ENV: 'test' } }), {
      repositories: (executor) => new Repositories(executor),
      logger: silentLogger,
    });
    const repos = db.repositories;
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) ids.push((await repos.users.create({ firstName: `F${i}`, lastName: `L${i}`, email: `seed${i}@example.com` })).id);

    const get = await compareVariants(GETS_PER_ROUND, {
      hand: (i) => client.query({ name: 'hand_get', text: GET_SQL, values: [ids[i % ids.length]] }),
      repository: (i) => repos.users.get(ids[i % ids.length]),
      'repository + row parse': async (i) => userSchema.parse(await repos.users.get(ids[i % ids.length])),
    });
    let n = 0;
    const create = await compareVariants(CREATES_PER_ROUND, {
      hand: () => (n++, client.query({ name: 'hand_insert', text: INSERT_SQL, values: ['Ada', 'Lovelace', `h${n}@example.com`] })),
      repository: () => (n++, repos.users.create({ firstName: 'Ada', lastName: 'Lovelace', email: `r${n}@example.com` })),
    });

    const started = performance.now();
    await runCodegen({ root: ROOT, schemaDir: path.join(ROOT, 'sql/schema'), queriesDir: path.join(ROOT, 'sql/queries'), outDir: path.join(ROOT, 'generated'), schemas: ['app'] }, { env: { CODEGEN_DATABASE_URL: adminUrl } });
    const codegenSeconds = (performance.now() - started) / 1000;

    const rows = [
      ['get(id)', get.hand, get.repository],
      ['get(id) + zod parse of the row', get.hand, get['repository + row parse']],
      ['create', create.hand, create.repository],
    ] as const;
    console.log(`repository vs hand-written pg (median of ${ROUNDS} rounds; target ratio <= 1.15)`);
    console.log('operation                        hand µs/op  repo µs/op  ratio');
    for (const [label, hand, repo] of rows) {
      console.log(`${label.padEnd(32)} ${hand.toFixed(1).padStart(10)}  ${repo.toFixed(1).padStart(10)}  ${(repo / hand).toFixed(3)}x`);
    }
    console.log(`codegen wall time for sql/ (in memory, local server): ${codegenSeconds.toFixed(2)} s`);
  } finally {
    await db?.close();
    await client.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await run();
