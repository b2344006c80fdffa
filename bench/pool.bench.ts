/**
 * Pool benchmark: raw pg.Client, pg.Pool and sqlwright's pool, `SELECT 1`, at concurrency 1 and 32 with a
 * pool of 20, in one process against one server. Prints a table and the ratios the pool issue targets.
 * A second part drives both pools over an in-memory client that answers at once, which leaves nothing but
 * the pools' own cost per checkout + query + release (steadier than the end-to-end numbers on a shared
 * machine, where PostgreSQL and Node compete for the same cores).
 * Run: npx tsx bench/pool.bench.ts (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres;
 * BENCH_ROUNDS, default 24, rounds of 250 ms per subject and concurrency: short rounds, so that subjects
 * compared are measured close together in time, and ratios are medians of per-round ratios).
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { pathToFileURL } from 'node:url';
import { createPool, type PgClientLike, type PoolOptions } from '../src/pool/index.js';

const URL_ = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const POOL = 20;
const ROUND_MS = 250;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 24));
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

function pgPool(extra: pg.PoolConfig = {}): Subject {
  const pool = new pg.Pool({ connectionString: URL_, max: POOL, ...extra });
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
  /** Operations per round, in round order. */
  perRound: number[];
  /** This process's CPU time (user + system) per operation, median of rounds, in µs. */
  cpuUsPerOp: number;
}

/**
 * Measures subjects in interleaved rounds so drift on a shared machine hits all alike; the order rotates
 * every round (A B C, B C A, C A B, ...) so no subject always runs right after the same one.
 */
async function measure(subjects: Subject[], concurrency: number): Promise<Row[]> {
  const ops = await Promise.all(subjects.map((s) => s.setup()));
  for (const op of ops) await drive(op, concurrency, WARMUP_MS);
  const perRound = subjects.map((): number[] => []);
  const cpu = subjects.map((): number[] => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < subjects.length; k++) {
      const i = (k + r) % subjects.length;
      const before = process.cpuUsage();
      const done = await drive(ops[i], concurrency, ROUND_MS);
      const used = process.cpuUsage(before);
      perRound[i].push(done);
      cpu[i].push((used.user + used.system) / done);
    }
  }
  for (const s of subjects) await s.teardown();
  return subjects.map((s, i) => ({
    subject: s.name,
    concurrency,
    opsPerSec: perRound[i].reduce((a, b) => a + b, 0) / ((ROUNDS * ROUND_MS) / 1000),
    perRound: perRound[i],
    cpuUsPerOp: median(cpu[i]),
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** An in-memory stand-in for pg.Client that answers every query at once (for both pools). */
const RESULT = { rows: [{ '?column?': 1 }], rowCount: 1 };
class InstantClient extends EventEmitter {
  // What pg.Pool reads on release.
  readonly _queryable = true;
  readonly _ending = false;
  connect(callback?: (error?: Error) => void): Promise<void> | void {
    if (!callback) return Promise.resolve();
    process.nextTick(callback);
  }
  query(): Promise<typeof RESULT> {
    return Promise.resolve(RESULT);
  }
  end(callback?: () => void): Promise<void> | void {
    if (!callback) return Promise.resolve();
    process.nextTick(callback);
  }
  getTransactionStatus(): string {
    return 'I';
  }
}

/** µs per checkout + query + release over {@link InstantClient}: the pool's own cost, median of rounds. */
async function overhead(): Promise<{ subject: string; concurrency: number; us: number }[]> {
  const N = 100_000;
  const subjects: [string, () => Subject][] = [
    ['pg.Pool', () => pgPool({ Client: InstantClient as unknown as typeof pg.Client })],
    ['sqlwright pool', () => ours('sqlwright pool', { connect: async () => new InstantClient() as unknown as PgClientLike })],
  ];
  const out: { subject: string; concurrency: number; us: number }[] = [];
  for (const concurrency of [1, 32]) {
    const made = subjects.map(([, make]) => make());
    const ops = await Promise.all(made.map((s) => s.setup()));
    const times = subjects.map((): number[] => []);
    const once = async (op: Op) => {
      let left = N;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (left-- > 0) await op();
      }));
      return ((performance.now() - t0) * 1000) / N;
    };
    for (const op of ops) await once(op);
    for (let r = 0; r < 7; r++) for (let k = 0; k < ops.length; k++) {
      const i = (k + r) % ops.length;
      times[i].push(await once(ops[i]));
    }
    for (const s of made) await s.teardown();
    subjects.forEach(([subject], i) => out.push({ subject, concurrency, us: median(times[i]) }));
  }
  return out;
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
  const row = (prefix: string, c: number) => rows.find((r) => r.subject.startsWith(prefix) && r.concurrency === c)!;
  const get = (prefix: string, c: number) => row(prefix, c).opsPerSec;
  /** a/b over the totals, and the median of the per-round a/b (rounds are measured seconds apart). */
  const ratios = (a: string, b: string, c: number) => {
    const ra = row(a, c).perRound;
    const rb = row(b, c).perRound;
    return { total: get(a, c) / get(b, c), median: median(ra.map((x, i) => x / rb[i])) };
  };
  console.log(`\nSELECT 1, checkout + query + release; pool of 20; ${ROUNDS} interleaved rounds of ${ROUND_MS} ms\n`);
  console.table(rows.map((r) => ({
    subject: r.subject,
    concurrency: r.concurrency,
    'ops/s': Math.round(r.opsPerSec),
    'µs/op': Math.round((1e6 / r.opsPerSec) * r.concurrency),
    'ops/s min..max round': `${Math.round(Math.min(...r.perRound) / (ROUND_MS / 1000))}..${Math.round(Math.max(...r.perRound) / (ROUND_MS / 1000))}`,
    'node CPU µs/op': Number(r.cpuUsPerOp.toFixed(1)),
  })));
  const fmt = (x: { total: number; median: number }) => `${x.total.toFixed(3)} (median of rounds ${x.median.toFixed(3)})`;
  const pct = (x: { total: number; median: number }) => `${((x.total - 1) * 100).toFixed(1)}% (median ${((x.median - 1) * 100).toFixed(1)}%)`;
  const DEF = 'sqlwright pool (pre-ping';
  const NOPING = 'sqlwright pool (no pre-ping)';
  console.log(`concurrency 1:  our time per op / pg.Pool's = ${fmt(ratios('pg.Pool', DEF, 1))}  (target <= 1.05)`);
  console.log(`concurrency 32: our throughput / pg.Pool's  = ${fmt(ratios(DEF, 'pg.Pool', 32))}  (target >= 1.00)`);
  console.log(`pre-ping cost, default bypass, c1  = ${pct(ratios(NOPING, DEF, 1))}  (target < 5%)`);
  console.log(`pre-ping cost, default bypass, c32 = ${pct(ratios(NOPING, DEF, 32))}  (target < 5%)`);
  console.log(`pre-ping cost, always ping, c1     = ${pct(ratios(NOPING, 'sqlwright pool (always', 1))}`);
  console.log(`pre-ping cost, always ping, c32    = ${pct(ratios(NOPING, 'sqlwright pool (always', 32))}`);
  console.log(`raw pg.Client / pg.Pool at concurrency 1 = ${(get('raw', 1) / get('pg.Pool', 1)).toFixed(3)}x throughput`);

  console.log('\nPool overhead alone: in-memory client answering at once, µs per checkout + query + release (median of rounds)\n');
  const own = await overhead();
  console.table(own.map((o) => ({ subject: o.subject, concurrency: o.concurrency, 'µs/op': Number(o.us.toFixed(3)) })));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
