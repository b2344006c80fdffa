/** Pool options: the public shape, the defaults (mirroring the service design's QueuePool), and validation. */
import { ValidationError, type ValidationIssue } from '../errors.js';
import { systemClock, type Clock } from './clock.js';

/** What a query returns; the subset of pg's `QueryResult` the pool and its callers use. */
export interface PgResultLike {
  rows: any[];
  rowCount: number | null;
  fields?: readonly { name: string; dataTypeID: number }[];
}

/**
 * The structural subset of `pg.Client` the pool drives, so the pool never depends on pg's classes
 * (the runtime builds the client with its TLS settings and type parsers and hands it over).
 */
export interface PgClientLike {
  query(config: { text: string; values?: any[]; name?: string }): Promise<PgResultLike>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  /** pg >= 8.12: the ReadyForQuery status, 'I' idle, 'T' in a transaction, 'E' in a failed one. */
  getTransactionStatus?(): string | null;
  /**
   * pg's wire connection. Only its socket is used, to destroy a connection that will not close politely
   * (a blackholed socket never answers the Terminate message, so `end()` alone would hang).
   */
  readonly connection?: { readonly stream?: { destroy(error?: Error): void } };
}

/** Where the pool writes its warnings (leaks, lost idle connections); pino-compatible. */
export interface PoolLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options for {@link createPool}; every field but `connect` is optional (see docs/pool.md for defaults). */
export interface PoolOptions {
  /**
   * Opens one connected client. The pool never builds a `pg.Client` itself. `signal` is aborted when the pool
   * gives up on this connect (`connectTimeoutMs`): the half-open client is then the factory's to destroy
   * (`client.connection.stream.destroy()`), since the pool never receives it.
   */
  connect: (signal: AbortSignal) => Promise<PgClientLike>;
  /** Connections kept open when idle. Default 20. */
  poolSize?: number;
  /** Extra connections opened only under load, closed when they come back to a full pool. Default 10. */
  maxOverflow?: number;
  /**
   * Longest wait for a connection while the pool is at capacity or its connects fail, and for pre-pings,
   * before `PoolTimeoutError`. Default 30 000.
   */
  poolTimeoutMs?: number;
  /** Connections older than this (minus up to 2.5 % jitter) are replaced at checkout or return. Default 1 800 000; 0 = never. */
  recycleMs?: number;
  /** Validate a connection at checkout. Default true. */
  prePing?: boolean;
  /** Skip the pre-ping for a connection returned (or opened) this recently. Default 500; 0 = always ping. */
  prePingBypassMs?: number;
  /** Bound on one pre-ping round trip; a ping that runs out of it counts as a dead connection. Default 5 000. */
  pingTimeoutMs?: number;
  /** Server-side `statement_timeout`, set per connection after connect. Default 30 000; 0 = off. */
  statementTimeoutMs?: number;
  /** false = behind PgBouncer transaction mode: never issue session-level SET. Default true. */
  sessionSettings?: boolean;
  /** The client-side guard fires at statement timeout + this. Default 5 000. */
  queryTimeoutGraceMs?: number;
  /** Idle connections beyond `poolSize` unused this long are closed. Default 60 000; 0 = never. */
  idleTimeoutMs?: number;
  /** Warn when a connection is held longer than this. Default 0 = off. */
  leakDetectionMs?: number;
  /** One bound on `connect()` and the session SET together; a checkout waiting on a connect is bounded by this, not `poolTimeoutMs`. Default 10 000. */
  connectTimeoutMs?: number;
  logger?: PoolLogger;
  /** Injectable monotonic clock, for tests. */
  clock?: Clock;
  /** Pool name for logs and events, e.g. 'app', 'app-replica-1'. Default 'pool'. */
  name?: string;
}

/** {@link PoolOptions} with every default filled in. */
export type ResolvedPoolOptions = Required<PoolOptions>;

/** The defaults, mirroring the service design (SQLAlchemy QueuePool settings). */
export const POOL_DEFAULTS = {
  poolSize: 20,
  maxOverflow: 10,
  poolTimeoutMs: 30_000,
  recycleMs: 1_800_000,
  prePing: true,
  prePingBypassMs: 500,
  pingTimeoutMs: 5_000,
  statementTimeoutMs: 30_000,
  sessionSettings: true,
  queryTimeoutGraceMs: 5_000,
  idleTimeoutMs: 60_000,
  leakDetectionMs: 0,
  connectTimeoutMs: 10_000,
  name: 'pool',
} as const;

/** Info is dropped by default; warnings and errors go to stderr so a leak or a lost connection is never silent. */
const defaultLogger: PoolLogger = {
  info: () => undefined,
  warn: (obj, msg) => console.warn(msg, obj),
  error: (obj, msg) => console.error(msg, obj),
};

const NUMERIC_KEYS = [
  'poolSize', 'maxOverflow', 'poolTimeoutMs', 'recycleMs', 'prePingBypassMs', 'pingTimeoutMs', 'statementTimeoutMs',
  'queryTimeoutGraceMs', 'idleTimeoutMs', 'leakDetectionMs', 'connectTimeoutMs',
] as const;
/** Keys where 0 makes no sense (a wait or round trip that may never take any time). */
const POSITIVE_KEYS = new Set<string>(['poolTimeoutMs', 'pingTimeoutMs', 'connectTimeoutMs']);

/**
 * Fills in defaults and checks every value.
 * @throws ValidationError listing every bad option (not just the first).
 */
export function resolvePoolOptions(options: PoolOptions): ResolvedPoolOptions {
  const issues: ValidationIssue[] = [];
  if (typeof options?.connect !== 'function') issues.push({ path: ['connect'], message: 'connect must be a function returning a connected client' });
  const resolved = { ...POOL_DEFAULTS, logger: defaultLogger, clock: systemClock, ...stripUndefined(options) } as ResolvedPoolOptions;
  for (const key of NUMERIC_KEYS) {
    const value = resolved[key];
    const min = POSITIVE_KEYS.has(key) ? 1 : 0;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (key === 'poolSize' || key === 'maxOverflow') && !Number.isInteger(value)) {
      issues.push({ path: [key], message: `${key} must be a ${min ? 'positive' : 'non-negative'} ${key.endsWith('Ms') ? 'number of milliseconds' : 'integer'}, got ${String(value)}` });
    }
  }
  if (issues.length === 0 && resolved.poolSize + resolved.maxOverflow < 1) {
    issues.push({ path: ['poolSize'], message: 'poolSize + maxOverflow must be at least 1' });
  }
  if (issues.length) throw new ValidationError(`invalid pool options: ${issues.map((i) => i.message).join('; ')}`, issues);
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The session-level statement the pool runs after connect. */
export function setSessionStatementTimeoutSql(timeoutMs: number): string {
  return `SET statement_timeout = ${Math.max(0, Math.floor(timeoutMs))}`;
}
