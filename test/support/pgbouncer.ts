import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './cluster.js';

const isRoot = process.getuid?.() === 0;

function findPgbouncer(): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin']) {
    const bin = path.join(dir, 'pgbouncer');
    if (dir && existsSync(bin)) return bin;
  }
  return undefined;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface PgBouncerOptions {
  /** The PostgreSQL server behind it (an admin URL from the harness). */
  serverUrl: string;
  /** Server connections per (database, user) pair. Default 2, small so clients share them. */
  poolSize?: number;
  /**
   * PgBouncer's `server_login_retry`: after a server connection attempt failed (one cut short by KILL's pause
   * counts), new ones wait this long. Default PgBouncer's own, 15 s.
   */
  serverLoginRetrySeconds?: number;
}

/**
 * A real PgBouncer in transaction mode on a free loopback port, run as the `postgres` user (it refuses
 * root), in front of the test server. Install it with `apt-get install pgbouncer` (.ci/run does).
 */
export class TestPgBouncer {
  readonly port: number;
  readonly #dir: string;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.#dir = dir;
  }

  static async start(options: PgBouncerOptions): Promise<TestPgBouncer> {
    const bin = findPgbouncer();
    if (!bin) throw new Error('pgbouncer is not installed: apt-get install pgbouncer (the tests start their own, never a system one)');
    const server = new URL(options.serverUrl);
    const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-pgbouncer-'));
    const port = await freePort();
    const user = decodeURIComponent(server.username || 'postgres');
    writeFileSync(path.join(dir, 'userlist.txt'), `"${user}" ""\n`);
    writeFileSync(
      path.join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `* = host=${server.hostname} port=${server.port || 5432}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${path.join(dir, 'userlist.txt')}`,
        `admin_users = ${user}`,
        'pool_mode = transaction',
        `default_pool_size = ${options.poolSize ?? 2}`,
        'max_client_conn = 500',
        'ignore_startup_parameters = extra_float_digits',
        ...(options.serverLoginRetrySeconds === undefined ? [] : [`server_login_retry = ${options.serverLoginRetrySeconds}`]),
        `logfile = ${path.join(dir, 'pgbouncer.log')}`,
        `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
        '',
      ].join('\n'),
    );
    if (isRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
      for (const f of ['', 'userlist.txt', 'pgbouncer.ini']) chownSync(path.join(dir, f), uid, gid);
    }
    const args = ['-d', path.join(dir, 'pgbouncer.ini')];
    if (isRoot) execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args]);
    else execFileSync(bin, args);
    const bouncer = new TestPgBouncer(port, dir);
    try {
      await waitForPort(port, 10_000);
    } catch (error) {
      await bouncer.stop();
      throw error;
    }
    return bouncer;
  }

  /** A URL to `database` through the bouncer. */
  url(database: string): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Runs an admin console command (PAUSE, RESUME, KILL, DISABLE, ENABLE, SHOW ...). */
  async admin(command: string): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: this.url('pgbouncer') });
    await client.connect();
    try {
      return await client.query(command);
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    const pidFile = path.join(this.#dir, 'pgbouncer.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      try {
        process.kill(pid, 'SIGINT');
        for (let i = 0; i < 100; i++) {
          process.kill(pid, 0);
          await new Promise((r) => setTimeout(r, 20));
        }
      } catch {
        // gone
      }
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
