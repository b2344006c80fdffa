import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { discoverCodegenServer } from '../../codegen/database.js';
import { ThrowawayCluster, findPostgresBinDir, freePort } from '../support/cluster.js';
import { REPO_ROOT, adminQuery, testServer } from '../support/database.js';

const hasBinaries = findPostgresBinDir() !== undefined;
const noBinaries = 'no PostgreSQL binaries (initdb, pg_ctl) on this machine';

/** Codegen's server: its own URL variables, then the test harness's discovery (the same module), then PGlite. */
describe("codegen's database discovery", () => {
  it('CODEGEN_DATABASE_URL first; set but unreachable is an error, not a fallback', async () => {
    const { adminUrl } = await testServer();
    assert.deepEqual(await discoverCodegenServer({ env: { CODEGEN_DATABASE_URL: adminUrl, DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/x' } }), { kind: 'env', adminUrl });
    const port = await freePort();
    await assert.rejects(discoverCodegenServer({ env: { CODEGEN_DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/postgres` } }), /CODEGEN_DATABASE_URL is set but cannot be reached/);
  });

  it("a SQLite DATABASE_URL is skipped; the harness's TEST_DATABASE_URL is used", async () => {
    const { adminUrl } = await testServer();
    const port = await freePort();
    const server = await discoverCodegenServer({ env: { DATABASE_URL: 'sqlite:///dev.db', TEST_DATABASE_URL: adminUrl, PGPORT: String(port) } });
    assert.deepEqual(server, { kind: 'env', adminUrl });
  });

  it('with no server reachable: a throwaway initdb cluster when the binaries are there, else PGlite', async () => {
    const port = await freePort(); // nothing listens there: as if the local server were stopped
    const options = { env: { PGPORT: String(port) }, dockerAvailable: () => false };
    const found = await discoverCodegenServer(options);
    if (!hasBinaries) {
      assert.deepEqual(found, { kind: 'pglite' });
      return;
    }
    assert.equal(found.kind, 'cluster');
    const client = new pg.Client({ connectionString: found.adminUrl });
    await client.connect();
    try {
      assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
    } finally {
      await client.end();
    }
  });

  it('with no server reachable and no binaries (simulated): PGlite', async () => {
    const port = await freePort();
    assert.deepEqual(await discoverCodegenServer({ env: { PGPORT: String(port) }, dockerAvailable: () => false, findBinDir: () => undefined }), { kind: 'pglite' });
  });
});

describe('a throwaway cluster leaves nothing behind', () => {
  it('when its start fails after initdb: its directory is removed', { skip: !hasBinaries && noBinaries }, async () => {
    // Other test files create clusters meanwhile: ours is the one whose postgresql.conf holds this marker.
    const marker = `# sqlwright-leak-test ${randomBytes(6).toString('hex')}`;
    await assert.rejects(ThrowawayCluster.create({ config: [marker], hba: ['not a pg_hba line'] }));
    const ours = readdirSync(tmpdir())
      .filter((d) => d.startsWith('sqlwright-pg-'))
      .filter((d) => {
        try {
          return readFileSync(path.join(tmpdir(), d, 'data', 'postgresql.conf'), 'utf8').includes(marker);
        } catch {
          return false; // being created or removed by someone else
        }
      });
    assert.deepEqual(ours, []);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`when the process that discovered it gets ${signal}: the process dies of it, the server and directory are gone`, { skip: !hasBinaries && noBinaries }, async () => {
      const port = await freePort();
      const discovery = pathToFileURL(path.join(REPO_ROOT, 'codegen/server/discovery.ts')).href;
      const script = `const { discoverServer } = await import(${JSON.stringify(discovery)});
const found = await discoverServer({ urlVariables: [], env: { PGPORT: '${port}' }, dockerAvailable: () => false });
console.log(JSON.stringify(found));
setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
      try {
        const line = await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (d) => {
            out += d;
            if (out.includes('\n')) resolve(out.split('\n')[0]);
          });
          void exited.then(({ code }) => reject(new Error(`the child exited (${code}) before finding a server: ${out}`)));
        });
        const found = JSON.parse(line) as { kind: string; adminUrl: string };
        assert.equal(found.kind, 'cluster');
        const dataDir = String((await adminQuery(found.adminUrl, 'SHOW data_directory')).rows[0].data_directory);
        assert.ok(existsSync(dataDir));
        child.kill(signal);
        assert.deepEqual(await exited, { code: null, signal });
        assert.equal(existsSync(path.dirname(dataDir)), false, 'the cluster directory is removed');
        await assert.rejects(adminQuery(found.adminUrl, 'SELECT 1'), /ECONNREFUSED/);
      } finally {
        child.kill('SIGKILL');
      }
    });
  }

  it("a host's own SIGINT handlers decide: a once-registered async shutdown finishes, one that keeps running gets a live server next time", { skip: !hasBinaries && noBinaries }, async () => {
    const port = await freePort();
    const discovery = pathToFileURL(path.join(REPO_ROOT, 'codegen/server/discovery.ts')).href;
    const script = `const { default: pg } = await import('pg');
const { discoverServer } = await import(${JSON.stringify(discovery)});
const options = { urlVariables: [], env: { PGPORT: '${port}' }, dockerAvailable: () => false };
const live = async (url) => { const c = new pg.Client({ connectionString: url }); await c.connect(); await c.end(); return 'live'; };
process.once('SIGINT', () => setTimeout(async () => {
  console.log('after Ctrl-C:', await live((await discoverServer(options)).adminUrl));
  process.exit(0);
}, 200));
await discoverServer(options);
process.kill(process.pid, 'SIGINT');
setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      const exited = await new Promise((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
      assert.deepEqual(exited, { code: 0, signal: null }, out);
      assert.equal(out, 'after Ctrl-C: live\n');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
