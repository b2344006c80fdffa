/**
 * Opening and closing one client: the factory's connect bounded by a timeout and by shutdown (a half-open
 * client is the factory's to destroy, a late one the pool's), and a close that cannot hang on a silent peer.
 */
import { DatabaseUnavailableError } from '../errors.js';
import type { Clock } from './clock.js';
import type { PgClientLike, PoolOptions } from './options.js';

/** How long a polite `end()` may take before the socket is destroyed; also how long shutdown waits for a connect. */
export const CLOSE_TIMEOUT_MS = 2_000;

/** One call of the connect factory: the client for the pool, and when the call is over. */
export interface ClientOpening {
  /** The connected client. Rejects at the timeout or when `stop` aborts, at once, or with the factory's error. */
  client: Promise<PgClientLike>;
  /** Settles (never rejects) once the factory has returned and a client nobody took is closed. */
  done: Promise<void>;
}

/**
 * Calls the pool's `connect()` factory, bounded by `timeoutMs` and by `stop` (the pool is ending). When
 * either ends the wait, the factory's signal is aborted (it alone holds the half-open client), and a client
 * that still arrives is closed.
 */
export function openClient(connect: PoolOptions['connect'], clock: Clock, timeoutMs: number, stop: AbortSignal): ClientOpening {
  const controller = new AbortController();
  let resolve!: (client: PgClientLike) => void;
  let reject!: (error: unknown) => void;
  const client = new Promise<PgClientLike>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const settled = () => {
    clock.clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  };
  const giveUp = (error: unknown) => {
    settled();
    controller.abort(error);
    reject(error);
  };
  const timer = clock.setTimeout(() => giveUp(new DatabaseUnavailableError(`connect timed out after ${timeoutMs}ms`)), timeoutMs);
  const onStop = () => giveUp(stop.reason);
  stop.addEventListener('abort', onStop, { once: true });
  const done = Promise.resolve()
    .then(() => connect(controller.signal))
    .then(
      (c) => {
        if (!controller.signal.aborted) {
          settled();
          return resolve(c);
        }
        // Too late: nobody will use it, but it must not stay open. Listen first: an 'error' on a client
        // nobody listens to (its socket failing while it closes) would crash the process.
        c.on('error', () => undefined);
        return closeClient(c, clock);
      },
      (error: unknown) => {
        settled();
        reject(error);
      },
    );
  return { client, done };
}

/**
 * Destroys a client's socket at once: for a connect given up on, or one that failed in the client mid-handshake
 * (a polite end() would send Terminate to a peer that may never answer, and the server would hold the socket).
 */
export function destroySocket(client: Pick<PgClientLike, 'connection'>): void {
  client.connection?.stream?.destroy();
}

/** Closes a client: politely, then by destroying its socket if that does not finish in time. Never rejects. */
export function closeClient(client: PgClientLike, clock: Clock): Promise<void> {
  return new Promise<void>((resolve) => {
    const destroy = () => {
      destroySocket(client);
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
