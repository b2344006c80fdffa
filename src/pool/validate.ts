/**
 * Pre-ping: prove a connection is alive before lending it, unless it was opened or used so recently that a
 * round trip would only cost latency (HikariCP's alive-bypass window).
 */
import { DatabaseUnavailableError, QueryTimeoutError } from '../errors.js';
import { isConnectionBroken } from '../errors/sqlstate.js';
import type { PoolEntry } from './entry.js';

/** True when the connection must be pinged before it is lent. */
export function needsPing(entry: PoolEntry, now: number, prePing: boolean, bypassMs: number): boolean {
  if (!prePing || entry.fresh) return false;
  return bypassMs <= 0 || now - entry.lastUsedAt >= bypassMs;
}

/**
 * One bounded round trip.
 * @throws DatabaseUnavailableError when the connection is dead, QueryTimeoutError when the ping timed out
 * (the connection is then destroyed), or whatever else the server answered.
 */
export async function ping(entry: PoolEntry, timeoutMs: number): Promise<void> {
  await entry.query('SELECT 1', undefined, { timeoutMs });
}

/**
 * True when a ping failure means "this connection is gone" (discard it and try another), as opposed to an
 * error that would also hit a fresh connection and must reach the caller. A timed-out ping counts as gone:
 * that is what a blackholed socket looks like.
 */
export function isDisconnect(entry: PoolEntry, error: unknown): boolean {
  return entry.broken !== undefined || error instanceof DatabaseUnavailableError || error instanceof QueryTimeoutError || isConnectionBroken(error);
}
