/**
 * Opening and closing one client: the factory's connect bounded by a timeout (a half-open client is the
 * factory's to destroy, a late one the pool's), and a close that cannot hang on a silent peer.
 */
import { DatabaseUnavailableError } from '../errors.js';
import type { Clock } from './clock.js';
import type { PgClientLike, PoolOptions } from './options.js';

/** How long a polite `end()` may take before the socket is destroyed. */
const CLOSE_TIMEOUT_MS = 2_000;

/**
 * Calls the pool's `connect()` factory, bounded by `timeoutMs`. On timeout the factory's signal is aborted
 * (it alone holds the half-open client), and a client that still arrives is closed.
 * @throws DatabaseUnavailableError on timeout; the factory's own error otherwise.
 */
export function openClient(connect: PoolOptions['connect'], clock: Clock, timeoutMs: number): Promise<PgClientLike> {
  const controller = new AbortController();
  return new Promise<PgClientLike>((resolve, reject) => {
    let timedOut = false;
    const timer = clock.setTimeout(() => {
      timedOut = true;
      const error = new DatabaseUnavailableError(`connect timed out after ${timeoutMs}ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    Promise.resolve()
      .then(() => connect(controller.signal))
      .then(
        (client) => {
          clock.clearTimeout(timer);
          if (!timedOut) return resolve(client);
          // Too late: nobody will use it, but it must not stay open. Listen first: an 'error' on a client
          // nobody listens to (its socket failing while it closes) would crash the process.
          client.on('error', () => undefined);
          void closeClient(client, clock);
        },
        (error: unknown) => {
          clock.clearTimeout(timer);
          if (!timedOut) reject(error);
        },
      );
  });
}

/** Closes a client: politely, then by destroying its socket if that does not finish in time. Never rejects. */
export function closeClient(client: PgClientLike, clock: Clock): Promise<void> {
  return new Promise<void>((resolve) => {
    const destroy = () => {
      client.connection?.stream?.destroy();
      resolve();
    };
    const timer = clock.setTimeout(destroy, CLOSE_TIMEOUT_MS);
    let ending: Promise<void>;
    try {
      ending = Promise.resolve(client.end());
    } catch (error) {
      ending = Promise.reject(error);
    }
    ending.then(
      () => {
        clock.clearTimeout(timer);
        resolve();
      },
      () => {
        clock.clearTimeout(timer);
        destroy();
      },
    );
  });
}
