/** sqlwright's connection pool: the public surface (`sqlwright/pool`). */
export { createPool, type Pool } from './pool.js';
export { destroySocket } from './connect.js';
export type { PooledConnection, QueryOptions } from './entry.js';
export {
  POOL_DEFAULTS, resolvePoolOptions,
  type PgClientLike, type PgResultLike, type PoolLogger, type PoolOptions, type ResolvedPoolOptions,
} from './options.js';
export type { PoolMetrics, PoolEvent, PoolEventType } from './metrics.js';
export { systemClock, createManualClock, type Clock, type ManualClock, type TimerHandle } from './clock.js';
export type { PoolStatus } from '../errors.js';
