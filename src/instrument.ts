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
  const durationMs = performance.now() - started;
  if (settings.echo) {
    (settings.logger.debug ?? settings.logger.info).call(settings.logger, { database: settings.database, sql: text, params: params?.length ?? 0, durationMs: round(durationMs), rows: result.rowCount }, 'query');
  }
  if (settings.slowQueryMs > 0 && durationMs > settings.slowQueryMs) {
    settings.logger.warn({ database: settings.database, sql: text, durationMs: round(durationMs), thresholdMs: settings.slowQueryMs }, 'slow query');
  }
  return result;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
