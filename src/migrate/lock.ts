import type { MigrationClient } from './migrator.js';
import { statementFailure } from './driver-error.js';

/** Arbitrary but fixed: every sqlwright migrator of a database contends for the same advisory lock. */
export const MIGRATION_LOCK_KEY = 7_245_191_303;

export class MigrationLockTimeoutError extends Error {
  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super(
      `another migration holds the migration lock (advisory lock ${MIGRATION_LOCK_KEY}); ` +
        `gave up after ${timeoutMs} ms. Wait for it to finish, or find it with ` +
        `SELECT pid, query FROM pg_stat_activity WHERE wait_event_type = 'Advisory' OR query LIKE '%pg_advisory%'`,
      options,
    );
    this.name = 'MigrationLockTimeoutError';
  }
}

/**
 * Holds a session-level advisory lock while `work` runs, so two processes never apply the same file.
 * The wait is bounded by `lock_timeout` (which PostgreSQL applies to advisory locks too), set for the
 * acquiring transaction only: the session's own setting is untouched, and the lock outlives the
 * transaction because session-level advisory locks ignore transaction boundaries.
 */
export async function withMigrationLock<T>(
  client: MigrationClient,
  timeoutMs: number,
  work: () => Promise<T>,
): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${timeoutMs}ms`]);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    if (statementFailure(error).sqlState === '55P03') throw new MigrationLockTimeoutError(timeoutMs, { cause: error });
    throw error;
  }
  try {
    return await work();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  }
}
