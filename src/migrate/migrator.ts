import { readMigrations, type MigrationFile } from './source.js';
import { withMigrationLock } from './lock.js';
import { statementFailure } from './driver-error.js';

/** The part of `pg.Client` the migrator needs; any connected client will do. */
export interface MigrationClient {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

export interface MigratorOptions {
  /** Directory of `NNNN_name.sql` files. */
  dir: string;
  /** Role to run each migration as (`SET LOCAL ROLE`), so DDL (and a new ledger) is owned by it and not by the login. */
  role?: string;
  /** How long to wait for another migrator's lock. Default 60 s. */
  lockTimeoutMs?: number;
}

export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
  appliedAt: Date;
  durationMs: number;
}

export interface MigrationStatus {
  applied: AppliedMigration[];
  pending: MigrationFile[];
}

export interface VerifyProblem {
  version: number;
  name: string;
  problem: 'checksum-mismatch' | 'missing-file';
}

export class MigrationFailedError extends Error {
  readonly fileName: string;
  /** The server's SQLSTATE, e.g. `42703`, when the failure came from the server. */
  readonly sqlState?: string;
  constructor(file: MigrationFile, cause: unknown) {
    const { message, sqlState, position } = statementFailure(cause);
    const where = position ? ` at ${locate(file.sql, position)}` : '';
    super(`migration ${file.fileName} failed${where}: ${message}${sqlState ? ` (SQLSTATE ${sqlState})` : ''}; it was rolled back`, { cause });
    this.name = 'MigrationFailedError';
    this.fileName = file.fileName;
    this.sqlState = sqlState;
  }
}

export class MigrationVerifyError extends Error {
  readonly problems: VerifyProblem[];
  constructor(problems: VerifyProblem[]) {
    super(
      'applied migrations do not match sql/schema: ' +
        problems.map((p) => `${String(p.version).padStart(4, '0')}_${p.name} (${p.problem})`).join(', '),
    );
    this.name = 'MigrationVerifyError';
    this.problems = problems;
  }
}

function locate(sql: string, position: number): string {
  const before = sql.slice(0, Math.max(0, position - 1)).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

const LEDGER = 'sqlwright.schema_migrations';

/** Creates the ledger when missing, as `role` when given, so the owner of the migrations owns it too. */
async function ensureLedger(client: MigrationClient, role?: string): Promise<void> {
  const exists = await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [LEDGER]);
  if (exists.rows[0].present) return;
  await client.query('BEGIN');
  try {
    if (role) await client.query(`SELECT set_config('role', $1, true)`, [role]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS sqlwright`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${LEDGER} (
      version     integer     PRIMARY KEY,
      name        text        NOT NULL,
      checksum    text        NOT NULL,
      duration_ms integer     NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now()
    )`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

async function readLedger(client: MigrationClient): Promise<AppliedMigration[]> {
  const exists = await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [LEDGER]);
  if (!exists.rows[0].present) return [];
  const { rows } = await client.query(
    `SELECT version, name, checksum, duration_ms, applied_at FROM ${LEDGER} ORDER BY version`,
  );
  return rows.map((r) => ({
    version: r.version,
    name: r.name,
    checksum: r.checksum,
    durationMs: r.duration_ms,
    appliedAt: r.applied_at,
  }));
}

/** Applies, lists and verifies the migrations of one directory against one database. */
export class Migrator {
  readonly #client: MigrationClient;
  readonly #options: Required<Omit<MigratorOptions, 'role'>> & Pick<MigratorOptions, 'role'>;

  constructor(client: MigrationClient, options: MigratorOptions) {
    this.#client = client;
    this.#options = { ...options, lockTimeoutMs: options.lockTimeoutMs ?? 60_000 };
  }

  async status(): Promise<MigrationStatus> {
    const [files, applied] = await Promise.all([readMigrations(this.#options.dir), readLedger(this.#client)]);
    const done = new Set(applied.map((a) => a.version));
    return { applied, pending: files.filter((f) => !done.has(f.version)) };
  }

  /** Lists applied migrations whose file changed or vanished. Empty means the database matches. */
  async problems(): Promise<VerifyProblem[]> {
    const [files, applied] = await Promise.all([readMigrations(this.#options.dir), readLedger(this.#client)]);
    const byVersion = new Map(files.map((f) => [f.version, f]));
    const problems: VerifyProblem[] = [];
    for (const a of applied) {
      const file = byVersion.get(a.version);
      if (!file) problems.push({ version: a.version, name: a.name, problem: 'missing-file' });
      else if (file.checksum !== a.checksum) problems.push({ version: a.version, name: a.name, problem: 'checksum-mismatch' });
    }
    return problems;
  }

  /** @throws MigrationVerifyError when an applied file was edited afterwards or is missing. */
  async verify(): Promise<void> {
    const problems = await this.problems();
    if (problems.length > 0) throw new MigrationVerifyError(problems);
  }

  /**
   * Applies every pending file in order, each in its own transaction with its ledger row.
   * @throws MigrationVerifyError before applying anything when applied files were edited.
   * @throws MigrationFailedError naming the file; that file is rolled back whole, earlier ones stay.
   * @throws MigrationLockTimeoutError when another migrator holds the lock past `lockTimeoutMs`.
   */
  async up(): Promise<MigrationFile[]> {
    const client = this.#client;
    return withMigrationLock(client, this.#options.lockTimeoutMs, async () => {
      await ensureLedger(client, this.#options.role);
      await this.verify();
      const { pending } = await this.status();
      for (const file of pending) await this.#apply(file);
      return pending;
    });
  }

  async #apply(file: MigrationFile): Promise<void> {
    const client = this.#client;
    const started = performance.now();
    await client.query('BEGIN');
    try {
      if (this.#options.role) await client.query(`SELECT set_config('role', $1, true)`, [this.#options.role]);
      await client.query(file.sql);
      if (this.#options.role) await client.query(`SELECT set_config('role', 'none', true)`);
      await client.query(`INSERT INTO ${LEDGER} (version, name, checksum, duration_ms) VALUES ($1, $2, $3, $4)`, [
        file.version,
        file.name,
        file.checksum,
        Math.round(performance.now() - started),
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw new MigrationFailedError(file, error);
    }
  }
}
