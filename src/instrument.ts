import type { Executor, QueryOptions, QueryResult } from './executor.js';
import type { Logger } from './log.js';

export interface QueryLogSettings {
  logger: Logger;
  /** Log every statement (parameters are never logged, only their count). */
  echo: boolean;
  /** Warn about statements slower than this; 0 turns it off. */
  slowQueryMs: number;
  database: string;
}

/** Runs a statement on `target`, logging it when echo is on and warning when it is slow. */
export async function instrumentedQuery<R>(
  target: Executor,
  settings: QueryLogSettings,
  text: string,
  params: readonly unknown[] | undefined,
  options: QueryOptions | undefined,
): Promise<QueryResult<R>> {
  const started = performance.now();
  const result = await target.query<R>(text, params, options);
  logQuery(settings, text, params, performance.now() - started, result.rowCount);
  return result;
}

/**
 * What {@link instrumentedQuery} logs once a statement has succeeded in `durationMs`: the echo line when echo is on,
 * the slow-query warning past the threshold. For callers that ran the statement themselves (synchronous drivers).
 */
export function logQuery(settings: QueryLogSettings, text: string, params: readonly unknown[] | undefined, durationMs: number, rowCount: number): void {
  if (settings.echo) {
    (settings.logger.debug ?? settings.logger.info).call(settings.logger, { database: settings.database, sql: text, params: params?.length ?? 0, durationMs: round(durationMs), rows: rowCount }, 'query');
  }
  if (settings.slowQueryMs > 0 && durationMs > settings.slowQueryMs) {
    settings.logger.warn({ database: settings.database, sql: text, durationMs: round(durationMs), thresholdMs: settings.slowQueryMs }, 'slow query');
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
