/**
 * Pool benchmark: raw pg.Client, pg.Pool and sqlwright's pool, `SELECT 1`, at concurrency 1 and 32 with a
 * pool of 20, in one process against one server. Prints a table and the ratios the pool issue targets.
 * Run: npx tsx bench/pool.bench.ts (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres).
 */
import pg from 'pg';
import { pathToFileURL } from 'node:url';
import { createPool, type PoolOptions } from '../src/pool/index.js';

const URL_ = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const POOL = 20;
const ROUND_MS = 1_000;
const ROUNDS = 3;
const WARMUP_MS = 300;

type Op = () => Promise<void>;
interface Subject {
  name: string;
  setup(): Promise<Op>;
  teardown(): Promise<void>;
}

/** Runs `op` from `concurrency` workers for `ms`; returns operations completed. */
async function drive(op: Op, concurrency: number, ms: number): Promise<number> {
  const until = performance.now() + ms;
  let done = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      await op();
      done++;
    }
  }));
  return done;
}

function rawClient(): Subject {
  const client = new pg.Client({ connectionString: URL_ });
  return {
    name: 'raw pg.Client (1 connection)',
    async setup() {
      await client.connect();
      return async () => void (await client.query('SELECT 1'));
    },
    teardown: () => client.end(),
  };
}

function pgPool(): Subject {
  const pool = new pg.Pool({ connectionString: URL_, max: POOL });
  return {
    name: 'pg.Pool',
    async setup() {
      return async () => {
        const c = await pool.connect();
        await c.query('SELECT 1');
        c.release();
      };
    },
    teardown: () => pool.end(),
  };
}

function ours(name: string, extra: Partial<PoolOptions>): Subject {
  const pool = createPool({
    name: 'bench',
    poolSize: POOL,
    maxOverflow: 0, // same connection count as pg.Pool's max
    connect: async () => {
      const c = new pg.Client({ connectionString: URL_ });
      await c.connect();
      return c;
    },
    ...extra,
  });
  return {
    name,
    async setup() {
      return async () => {
        const c = await pool.acquire();
        await c.query('SELECT 1');
        c.release();
      };
    },
    teardown: () => pool.end(),
  };
}

interface Row {
  subject: string;
  concurrency: number;
  opsPerSec: number;
}

/** Measures subjects in interleaved rounds (A B C A B C ...) so drift on a shared machine hits all alike. */
async function measure(subjects: Subject[], concurrency: number): Promise<Row[]> {
  const ops = await Promise.all(subjects.map((s) => s.setup()));
  for (const op of ops) await drive(op, concurrency, WARMUP_MS);
  const totals = subjects.map(() => 0);
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < subjects.length; i++) totals[i] += await drive(ops[i], concurrency, ROUND_MS);
  }
  for (const s of subjects) await s.teardown();
  return subjects.map((s, i) => ({ subject: s.name, concurrency, opsPerSec: totals[i] / ((ROUNDS * ROUND_MS) / 1000) }));
}

/** Runs the benchmark and prints the table and ratios. */
export async function run(): Promise<void> {
  const rows: Row[] = [];
  for (const concurrency of [1, 32]) {
    rows.push(...(await measure([
      rawClient(),
      pgPool(),
      ours('sqlwright pool (pre-ping, bypass 500 ms)', {}),
      ours('sqlwright pool (no pre-ping)', { prePing: false }),
      ours('sqlwright pool (always ping)', { prePingBypassMs: 0 }),
    ], concurrency)));
  }
  const get = (prefix: string, c: number) => rows.find((r) => r.subject.startsWith(prefix) && r.concurrency === c)!.opsPerSec;
  console.log('\nSELECT 1, checkout + query + release; pool of 20\n');
  console.table(rows.map((r) => ({
    subject: r.subject,
    concurrency: r.concurrency,
    'ops/s': Math.round(r.opsPerSec),
    'µs/op': Math.round((1e6 / r.opsPerSec) * r.concurrency),
  })));
  const ratio = (a: number, b: number) => (a / b).toFixed(3);
  const c1 = Number(ratio(get('pg.Pool', 1), get('sqlwright pool (pre-ping', 1)));
  const c32 = Number(ratio(get('sqlwright pool (pre-ping', 32), get('pg.Pool', 32)));
  const pingCost = (c: number, variant: string) => ((get('sqlwright pool (no pre-ping)', c) / get(variant, c) - 1) * 100).toFixed(1);
  console.log(`concurrency 1:  our time per op / pg.Pool's        = ${c1.toFixed(3)}  (target <= 1.05)`);
  console.log(`concurrency 32: our throughput / pg.Pool's          = ${c32.toFixed(3)}  (target >= 1.00)`);
  console.log(`pre-ping cost, default bypass (c1 / c32)           = ${pingCost(1, 'sqlwright pool (pre-ping')}% / ${pingCost(32, 'sqlwright pool (pre-ping')}%  (target < 5%)`);
  console.log(`pre-ping cost, always ping (c1 / c32)              = ${pingCost(1, 'sqlwright pool (always')}% / ${pingCost(32, 'sqlwright pool (always')}%`);
  console.log(`raw pg.Client / pg.Pool at concurrency 1            = ${ratio(get('raw', 1), get('pg.Pool', 1))}x throughput`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
