import type { Dialect } from './dialect/dialect.js';
import type { PoolStatus } from './errors.js';
import { redact } from './log.js';

export interface HealthReport {
  ok: boolean;
  latencyMs: number;
  /** What failed, redacted; absent when ok. */
  error?: string;
  pool: PoolStatus;
}

/**
 * Checks out a connection and runs SELECT 1, bounded by `timeoutMs` whatever the network does: a
 * blackholed server yields `ok: false` on time, and a connection that arrives late goes straight back.
 */
export async function checkHealth(dialect: Dialect, timeoutMs: number): Promise<HealthReport> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const probe = (async () => {
    const connection = await dialect.acquire();
    try {
      if (timedOut) return;
      await connection.query('SELECT 1');
    } finally {
      connection.release();
    }
  })();
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new Error(`health check timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([probe, deadline]);
    return { ok: true, latencyMs: elapsed(started), pool: dialect.status() };
  } catch (error) {
    probe.catch(() => undefined);
    return { ok: false, latencyMs: elapsed(started), error: String(redact((error as Error).message ?? error)), pool: dialect.status() };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
