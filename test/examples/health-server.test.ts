import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ThrowawayCluster, freePort } from '../support/cluster.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startExample } from '../support/run-example.js';

const READY = /health server on http:\/\/127\.0\.0\.1:(\d+) .*\n.*Ctrl-C stops it\n/;
/** The example runs in the repository, where a developer may keep a config.yaml: it gets an empty one. */
const noConfigDir = mkdtempSync(path.join(tmpdir(), 'sqlwright-health-config-'));
const emptyConfig = path.join(noConfigDir, 'config.yaml');
writeFileSync(emptyConfig, '');
after(() => rmSync(noConfigDir, { recursive: true, force: true }));

async function get(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`);
  return { status: res.status, body: await res.text() };
}

describe('examples/health-server.ts against a server that goes down and comes back', () => {
  let cluster: ThrowawayCluster;
  let child: ChildProcess;
  let port: number;
  let started: Awaited<ReturnType<typeof startExample>>;

  before(async () => {
    cluster = await ThrowawayCluster.create();
    started = await startExample(
      'health-server',
      { DATABASE_URL: cluster.url, PORT: '0', APP_ENV: 'test', CONFIG_FILE: emptyConfig },
      READY,
    );
    child = started.child;
    port = Number(started.match[1]);
  });
  after(async () => {
    child?.kill('SIGTERM');
    await cluster?.destroy();
  });

  it('says where it listens and how to stop it', () => {
    assert.match(started.output(), new RegExp(`^try: curl http://127\\.0\\.0\\.1:${port}/readyz .*; Ctrl-C stops it$`, 'm'));
  });

  it('serves /livez, /readyz and /metrics while the database is up', async () => {
    assert.deepEqual(await get(port, '/livez'), { status: 200, body: 'ok\n' });
    const ready = await get(port, '/readyz');
    assert.equal(ready.status, 200);
    const body = JSON.parse(ready.body);
    assert.equal(body.ready, true);
    assert.equal(body.databases.app.ok, true);
    const metrics = await get(port, '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^# TYPE sqlwright_pool_checked_out gauge$/m);
    assert.match(metrics.body, /^sqlwright_pool_size\{pool="app"\} 5$/m);
    assert.match(metrics.body, /^sqlwright_database_up\{pool="app"\} 1$/m);
  });

  it('answers 503 on /readyz while the database is down, keeps /livez and /metrics, and recovers', async () => {
    await cluster.stop();
    const down = await get(port, '/readyz');
    assert.equal(down.status, 503);
    assert.equal(JSON.parse(down.body).databases.app.ok, false);
    assert.equal((await get(port, '/livez')).status, 200);
    assert.match((await get(port, '/metrics')).body, /^sqlwright_database_up\{pool="app"\} 0$/m);

    await cluster.start();
    const up = await get(port, '/readyz');
    assert.equal(up.status, 200, up.body);
  });

  it('answers 404 elsewhere', async () => {
    assert.equal((await get(port, '/nope')).status, 404);
  });
});

describe('examples/health-server.ts on SQLite', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-health-sqlite-'));
  let child: ChildProcess;
  let port: number;

  before(async () => {
    const started = await startExample('health-server', { DATABASE_URL: `sqlite:///${path.join(dir, 'health.db')}`, PORT: '0', CONFIG_FILE: emptyConfig }, READY);
    child = started.child;
    port = Number(started.match[1]);
  });
  after(() => {
    child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('is ready, and reports the one-connection pool', async () => {
    const ready = await get(port, '/readyz');
    assert.equal(ready.status, 200, ready.body);
    assert.equal(JSON.parse(ready.body).databases.app.ok, true);
    const metrics = (await get(port, '/metrics')).body;
    assert.match(metrics, /^sqlwright_pool_size\{pool="app"\} 1$/m);
    assert.match(metrics, /^sqlwright_database_up\{pool="app"\} 1$/m);
  });
});

describe('examples/health-server.ts with several databases, one of them down', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-health-many-'));
  let app: TestDatabase;
  let child: ChildProcess;
  let port: number;

  before(async () => {
    app = await createTestDatabase();
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, [
      `database: { url: "${app.url}", pool_size: 3 }`,
      'databases:',
      // Nothing listens on a port freePort() just handed back: connections are refused at once.
      `  temporal: { url: "postgresql://postgres@127.0.0.1:${await freePort()}/temporal", pool_size: 2, pool_timeout: 1 }`,
      `  cache: { url: "sqlite:///${path.join(dir, 'cache.db')}" }`,
      '',
    ].join('\n'));
    const started = await startExample('health-server', { CONFIG_FILE: config, PORT: '0', APP_ENV: 'test' }, READY);
    child = started.child;
    port = Number(started.match[1]);
    assert.match(started.output(), /databases: app, temporal, cache/);
  });
  after(async () => {
    child?.kill('SIGTERM');
    await app?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 on /readyz naming the database that is down, and /metrics has a line per pool', async () => {
    const ready = await get(port, '/readyz');
    assert.equal(ready.status, 503, ready.body);
    const { databases } = JSON.parse(ready.body);
    assert.deepEqual(Object.fromEntries(Object.entries(databases).map(([name, h]) => [name, (h as { ok: boolean }).ok])), { app: true, temporal: false, cache: true });
    assert.equal((await get(port, '/livez')).status, 200);
    const metrics = (await get(port, '/metrics')).body;
    for (const [pool, size, up] of [['app', 3, 1], ['temporal', 2, 0], ['cache', 1, 1]]) {
      assert.match(metrics, new RegExp(`^sqlwright_pool_size\\{pool="${pool}"\\} ${size}$`, 'm'));
      assert.match(metrics, new RegExp(`^sqlwright_database_up\\{pool="${pool}"\\} ${up}$`, 'm'));
    }
  });
});
