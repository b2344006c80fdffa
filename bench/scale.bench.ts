/**
 * Scale-out: repository get(id) through a real PgBouncer (transaction mode, unnamed statements) vs direct
 * with named statements, and read throughput at concurrency 32 with one streaming replica added vs the
 * primary alone. `npx tsx bench/scale.bench.ts`. Needs pgbouncer and the PostgreSQL binaries (as the tests).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Repositories } from '../generated/index.js';
import { loadConfig } from '../src/config/load.js';
import { openDatabase, type Database } from '../src/database.js';
import { silentLogger } from '../src/log.js';
import { Migrator } from '../src/migrate/migrator.js';
import { ThrowawayCluster } from '../test/support/cluster.js';
import { TestPgBouncer } from '../test/support/pgbouncer.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = 5;

function open(url: string, extra: object = {}): Database<Repositories> {
  const config = loadConfig({ values: { database: { url, pool_size: 20, ...extra } }, env: { APP_ENV: 'test' } });
  return openDatabase(config, {
    repositories: (ex) => new Repositories(ex),
    logger: silentLogger,
  });
}

async function migrateAndSeed(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await new Migrator(client, { dir: path.join(ROOT, 'sql/schema') }).up();
    const { rows } = await client.query(
      `INSERT INTO app.users (first_name, last_name) SELECT 'F' || g, 'L' || g FROM generate_series(1, 500) g RETURNING id`,
    );
    return rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}

/** µs per op, sequential. */
async function perOp(ops: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) await op(i);
  return Number(process.hrtime.bigint() - started) / 1000 / ops;
}

/** ops per second with `concurrency` workers. */
async function throughput(ops: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < ops) await op(next++);
  }));
  return ops / ((performance.now() - started) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function bouncerBench(): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = `sqlwright_bench_scale_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const bouncer = await TestPgBouncer.start({ serverUrl: adminUrl, poolSize: 20 });
  const directUrl = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  const dbs: Database<Repositories>[] = [];
  try {
    const ids = await migrateAndSeed(directUrl);
    const direct = open(directUrl);
    const bounced = open(bouncer.url(name), { pgbouncer: true });
    const bouncedNoTimeout = open(bouncer.url(name), { pgbouncer: true, statement_timeout: 0 });
    dbs.push(direct, bounced, bouncedNoTimeout);
    const variants = { direct, bounced, bouncedNoTimeout };
    const samples: Record<string, number[]> = { direct: [], bounced: [], bouncedNoTimeout: [] };
    for (const db of Object.values(variants)) await perOp(300, (i) => db.repositories.users.get(ids[i % ids.length]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const [k, db] of Object.entries(variants)) samples[k].push(await perOp(1500, (i) => db.repositories.users.get(ids[i % ids.length])));
    }
    const d = median(samples.direct);
    const b = median(samples.bounced);
    const bn = median(samples.bouncedNoTimeout);
    console.log('repository users.get(id), concurrency 1 (median of rounds)');
    console.log(`  direct, named statements                        ${d.toFixed(1).padStart(7)} µs/op  1.000x`);
    console.log(`  PgBouncer, unnamed, per-statement timeout (3 RT) ${b.toFixed(1).padStart(7)} µs/op  ${(b / d).toFixed(3)}x`);
    console.log(`  PgBouncer, unnamed, statement_timeout: 0        ${bn.toFixed(1).padStart(7)} µs/op  ${(bn / d).toFixed(3)}x`);
  } finally {
    await Promise.all(dbs.map((db) => db.close()));
    await bouncer.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function replicaBench(): Promise<void> {
  const primary = await ThrowawayCluster.create({ config: ['max_connections = 200', "wal_keep_size = '256MB'"] });
  let replica: ThrowawayCluster | undefined;
  const dbs: Database<Repositories>[] = [];
  try {
    const ids = await migrateAndSeed(primary.url);
    replica = await ThrowawayCluster.replicaOf(primary);
    const primaryOnly = open(primary.url, { pool_size: 32, max_overflow: 0 });
    const withReplica = open(primary.url, { pool_size: 32, max_overflow: 0, replicas: [replica.url] });
    dbs.push(primaryOnly, withReplica);
    const read = (db: Database<Repositories>) => (i: number) => db.readOnly((repos) => repos.users.get(ids[i % ids.length]));
    await throughput(500, 32, read(primaryOnly));
    await throughput(500, 32, read(withReplica));
    const p: number[] = [];
    const w: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      p.push(await throughput(3000, 32, read(primaryOnly)));
      w.push(await throughput(3000, 32, read(withReplica)));
    }
    console.log('db.readOnly(users.get(id)) throughput, concurrency 32 (median of rounds; one machine, 2 cores)');
    console.log(`  primary only          ${median(p).toFixed(0).padStart(7)} reads/s  1.000x`);
    console.log(`  primary + 1 replica   ${median(w).toFixed(0).padStart(7)} reads/s  ${(median(w) / median(p)).toFixed(3)}x  (reads go to the replica; same CPUs)`);
  } finally {
    await Promise.all(dbs.map((db) => db.close()));
    await replica?.destroy();
    await primary.destroy();
  }
}

export async function run(): Promise<void> {
  await bouncerBench();
  await replicaBench();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await run();
