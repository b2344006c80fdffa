/**
 * Pre-ping: prove a connection is alive before lending it, unless it was returned or opened so recently
 * that a round trip would only cost latency (HikariCP's alive-bypass window).
 */
import { DatabaseUnavailableError, QueryTimeoutError } from '../errors.js';
import { isConnectionBroken } from '../errors/sqlstate.js';
import type { PoolEntry } from './entry.js';

/**
 * True when the connection must be pinged before it is lent: it was last returned, or opened if it was
 * never lent, `bypassMs` or longer ago. A connection that sat idle unlent is as suspect as any other.
 */
export function needsPing(entry: PoolEntry, now: number, prePing: boolean, bypassMs: number): boolean {
  return prePing && now - entry.lastUsedAt >= bypassMs;
}

/**
 * How long a ping may take: `pingTimeoutMs`, cut to the time left before the caller's deadline so a ping
 * never stretches a checkout past `poolTimeoutMs`. A caller already past its deadline got its connection
 * while waiting on a connect, which that deadline does not bound; its ping gets the whole `pingTimeoutMs`.
 */
export function pingBudget(pingTimeoutMs: number, msLeft: number): number {
  return msLeft > 0 ? Math.min(pingTimeoutMs, msLeft) : pingTimeoutMs;
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
