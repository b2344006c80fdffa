import { createServer, connect, type Server, type Socket } from 'node:net';

/** How a proxied connection behaves. */
type PairMode = 'pass' | 'blackhole';

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
  mode: PairMode;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * A TCP proxy on loopback that can fail the network on demand, for tests of what a pool does when the
 * network (not the server) misbehaves:
 * - `cut()`: every open connection is reset at once (the peer sees ECONNRESET / an unexpected end).
 * - `blackhole()`: every open connection, and every new one, goes silent: bytes are dropped, nothing is
 *   closed, so only timeouts can notice. `heal()` makes new connections pass again; the blackholed ones
 *   stay dead (their dropped bytes broke the protocol stream anyway).
 * Loopback only: it refuses to listen or forward anywhere else.
 */
export class TcpFaultProxy {
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #pairs = new Set<Pair>();
  #newMode: PairMode = 'pass';
  readonly port: number;

  private constructor(server: Server, target: { host: string; port: number }, port: number) {
    this.#server = server;
    this.#target = target;
    this.port = port;
  }

  static async start(target: { host: string; port: number }): Promise<TcpFaultProxy> {
    if (!LOOPBACK.has(target.host)) throw new Error(`TcpFaultProxy only forwards to loopback, not ${target.host}`);
    let proxy: TcpFaultProxy | undefined;
    // allowHalfOpen: a client's FIN must not be answered for it while blackholed.
    const server = createServer({ allowHalfOpen: true }, (socket) => proxy!.#accept(socket));
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
    proxy = new TcpFaultProxy(server, target, port);
    return proxy;
  }

  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  /** Connections currently open through the proxy. */
  get connections(): number {
    return this.#pairs.size;
  }

  /** Resets every open connection; new ones still pass. */
  cut(): void {
    for (const pair of [...this.#pairs]) this.#destroy(pair, true);
  }

  /** Silences every open connection and every new one until `heal()`. */
  blackhole(): void {
    this.#newMode = 'blackhole';
    for (const pair of this.#pairs) pair.mode = 'blackhole';
  }

  /** New connections pass again. */
  heal(): void {
    this.#newMode = 'pass';
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    const pair: Pair = { client, upstream: undefined, mode: this.#newMode };
    this.#pairs.add(pair);
    client.on('error', () => this.#destroy(pair, false));
    client.on('close', () => this.#destroy(pair, false));
    client.on('data', (data) => {
      if (pair.mode === 'pass') pair.upstream?.write(data);
    });
    client.on('end', () => {
      if (pair.mode === 'pass') pair.upstream?.end();
    });
    if (pair.mode === 'blackhole') return; // accepted, then silence: a connect that never completes
    const upstream = connect({ host: this.#target.host, port: this.#target.port, allowHalfOpen: true });
    pair.upstream = upstream;
    upstream.on('error', () => this.#destroy(pair, false));
    upstream.on('close', () => {
      if (pair.mode === 'pass') this.#destroy(pair, false);
    });
    upstream.on('data', (data) => {
      if (pair.mode === 'pass') client.write(data);
    });
    upstream.on('end', () => {
      if (pair.mode === 'pass') client.end();
    });
  }

  #destroy(pair: Pair, reset: boolean): void {
    if (!this.#pairs.delete(pair)) return;
    if (reset) pair.client.resetAndDestroy();
    else pair.client.destroy();
    pair.upstream?.destroy();
  }
}
