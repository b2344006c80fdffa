import { execFile as execFileCb, execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);

/** Finds the directory holding `initdb` and `pg_ctl`: PATH first, then Debian's versioned directories. */
export function findPostgresBinDir(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    // Debian links initdb and pg_ctl into /usr/local/bin; the other tools live beside their target.
    if (dir && existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'))) return path.dirname(realpathSync(path.join(dir, 'initdb')));
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const dir = path.join(debian, v, 'bin');
      if (existsSync(path.join(dir, 'initdb'))) return dir;
    }
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const isRoot = process.getuid?.() === 0;

/** The command line for a PostgreSQL binary, run as the `postgres` user when we are root (PostgreSQL refuses root). */
function pgCommand(binDir: string, tool: string, args: string[]): [string, string[]] {
  const bin = path.join(binDir, tool);
  return isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

/** Makes a file or directory the `postgres` user's when we are root, so the server, run as that user, may use it. */
export function ownByPostgres(file: string): void {
  if (isRoot) chownSync(file, idOf('-u'), idOf('-g'));
}

function idOf(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, 'postgres']).toString().trim());
}

/** A new temporary directory for a cluster, owned by whoever runs the server. */
export function clusterRoot(prefix: string): string {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  ownByPostgres(root);
  return root;
}

/**
 * A throwaway PostgreSQL cluster of the caller's own: initdb into a temporary directory, started on a free
 * loopback port with trust auth. Codegen starts one when it finds no server; test/support/cluster.ts adds
 * what only tests need (settings, restarts, replicas).
 */
export class ThrowawayCluster {
  readonly port: number;
  readonly dataDir: string;
  protected readonly binDir: string;
  protected readonly root: string;

  protected constructor(binDir: string, root: string, port: number) {
    this.binDir = binDir;
    this.root = root;
    this.dataDir = path.join(root, 'data');
    this.port = port;
  }

  /** @throws Error when there are no binaries, or initdb or the start fails (nothing is left behind then). */
  static async create(): Promise<ThrowawayCluster> {
    return ThrowawayCluster.initialize((binDir, root, port) => new ThrowawayCluster(binDir, root, port));
  }

  /**
   * initdb, our settings plus `config`, `prepare` (to write more into the data directory), start. When a step
   * fails the server is stopped and the directory removed: a failed start must not leak 40 MB or a postmaster.
   */
  protected static async initialize<T extends ThrowawayCluster>(
    construct: (binDir: string, root: string, port: number) => T,
    config: readonly string[] = [],
    prepare: (cluster: T) => void = () => undefined,
  ): Promise<T> {
    const binDir = findPostgresBinDir();
    if (!binDir) throw new Error('no PostgreSQL binaries (initdb, pg_ctl) found on PATH or in /usr/lib/postgresql/*/bin');
    const root = clusterRoot('sqlwright-pg-');
    const cluster = construct(binDir, root, await freePort());
    try {
      await cluster.runPg('initdb', ['-D', cluster.dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
      const conf = [`port = ${cluster.port}`, `listen_addresses = '127.0.0.1'`, `unix_socket_directories = '${root}'`, `fsync = off`, `max_connections = 100`, ...config];
      appendFileSync(path.join(cluster.dataDir, 'postgresql.conf'), '\n' + conf.join('\n') + '\n');
      prepare(cluster);
      await cluster.start();
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    await this.runPg('pg_ctl', ['-D', this.dataDir, '-l', path.join(this.root, 'server.log'), '-w', '-t', '60', 'start']);
  }

  /** Stops the server if it runs (also one a timed-out start left behind) and removes the directory. */
  async destroy(): Promise<void> {
    try {
      await this.runPg('pg_ctl', this.#immediateStop());
    } catch {
      // already stopped
    }
    rmSync(this.root, { recursive: true, force: true });
  }

  /** destroy(), synchronously: for a process 'exit' or signal handler, where nothing async runs any more. */
  destroySync(): void {
    try {
      execFileSync(...pgCommand(this.binDir, 'pg_ctl', this.#immediateStop()), { stdio: 'ignore' });
    } catch {
      // already stopped
    }
    rmSync(this.root, { recursive: true, force: true });
  }

  protected async runPg(tool: string, args: string[]): Promise<string> {
    const [cmd, argv] = pgCommand(this.binDir, tool, args);
    const { stdout } = await execFile(cmd, argv, { env: { ...process.env, LC_ALL: 'C' } });
    return stdout;
  }

  #immediateStop(): string[] {
    return ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop'];
  }
}
