import { execFile as execFileCb, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, chownSync, writeFileSync, appendFileSync } from 'node:fs';
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

async function runPg(binDir: string, tool: string, args: string[]): Promise<string> {
  const [cmd, argv] = pgCommand(binDir, tool, args);
  const { stdout } = await execFile(cmd, argv, { env: { ...process.env, LC_ALL: 'C' } });
  return stdout;
}

export interface ClusterOptions {
  /** Extra postgresql.conf lines, e.g. `ssl = on`. */
  config?: string[];
  /** Extra pg_hba.conf lines, added before the defaults. */
  hba?: string[];
  /** Files to write into the data directory before start (certificates): name -> content. */
  files?: Record<string, string>;
}

/**
 * A throwaway PostgreSQL cluster of the caller's own: initdb into a temporary directory, started on a free
 * loopback port with trust auth. Tests that stop, restart or break a server use this, never the shared one.
 */
export class ThrowawayCluster {
  readonly port: number;
  readonly dataDir: string;
  readonly #binDir: string;
  readonly #root: string;

  private constructor(binDir: string, root: string, port: number) {
    this.#binDir = binDir;
    this.#root = root;
    this.dataDir = path.join(root, 'data');
    this.port = port;
  }

  static async create(options: ClusterOptions = {}): Promise<ThrowawayCluster> {
    const binDir = findPostgresBinDir();
    if (!binDir) throw new Error('no PostgreSQL binaries (initdb, pg_ctl) found on PATH or in /usr/lib/postgresql/*/bin');
    const root = mkdtempSync(path.join(tmpdir(), 'sqlwright-pg-'));
    if (isRoot) chownSync(root, uidOf('postgres'), gidOf('postgres'));
    const cluster = new ThrowawayCluster(binDir, root, await freePort());
    await runPg(binDir, 'initdb', ['-D', cluster.dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    const conf = [
      `port = ${cluster.port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${root}'`,
      `fsync = off`,
      `max_connections = 100`,
      ...(options.config ?? []),
    ];
    appendFileSync(path.join(cluster.dataDir, 'postgresql.conf'), '\n' + conf.join('\n') + '\n');
    if (options.hba) {
      const hbaPath = path.join(cluster.dataDir, 'pg_hba.conf');
      writeFileSync(hbaPath, options.hba.join('\n') + '\n');
    }
    for (const [name, content] of Object.entries(options.files ?? {})) {
      const file = path.join(cluster.dataDir, name);
      writeFileSync(file, content, { mode: 0o600 });
      if (isRoot) chownSync(file, uidOf('postgres'), gidOf('postgres'));
    }
    await cluster.start();
    return cluster;
  }

  /**
   * A streaming replica of `primary`: pg_basebackup -R into a new data directory, started on its own port.
   * The primary's default pg_hba (initdb --auth=trust) already allows local replication connections.
   */
  static async replicaOf(primary: ThrowawayCluster): Promise<ThrowawayCluster> {
    const root = mkdtempSync(path.join(tmpdir(), 'sqlwright-replica-'));
    if (isRoot) chownSync(root, uidOf('postgres'), gidOf('postgres'));
    const replica = new ThrowawayCluster(primary.#binDir, root, await freePort());
    await runPg(primary.#binDir, 'pg_basebackup', ['-D', replica.dataDir, '-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-R', '-X', 'stream', '--no-sync', '--checkpoint=fast']);
    appendFileSync(
      path.join(replica.dataDir, 'postgresql.conf'),
      `\nport = ${replica.port}\nunix_socket_directories = '${root}'\nhot_standby = on\nhot_standby_feedback = on\n`,
    );
    await replica.start();
    return replica;
  }

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    await runPg(this.#binDir, 'pg_ctl', ['-D', this.dataDir, '-l', path.join(this.#root, 'server.log'), '-w', '-t', '60', 'start']);
  }

  /** Fast shutdown: active connections are terminated, as in a real restart. */
  async stop(): Promise<void> {
    await runPg(this.#binDir, 'pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', 'stop']);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async destroy(): Promise<void> {
    try {
      await runPg(this.#binDir, 'pg_ctl', this.#immediateStop());
    } catch {
      // already stopped
    }
    rmSync(this.#root, { recursive: true, force: true });
  }

  /** destroy(), synchronously: for a process 'exit' handler, where nothing async runs any more. */
  destroySync(): void {
    try {
      execFileSync(...pgCommand(this.#binDir, 'pg_ctl', this.#immediateStop()), { stdio: 'ignore' });
    } catch {
      // already stopped
    }
    rmSync(this.#root, { recursive: true, force: true });
  }

  #immediateStop(): string[] {
    return ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop'];
  }
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user]).toString().trim());
}
function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user]).toString().trim());
}
