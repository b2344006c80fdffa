import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { ThrowawayCluster } from '../support/cluster.js';
import { startExample } from '../support/run-example.js';

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

describe('examples/health-server.ts against a server that goes down and comes back', () => {
  let cluster: ThrowawayCluster;
  let child: ChildProcess;
  let port: number;

  before(async () => {
    cluster = await ThrowawayCluster.create();
    const started = await startExample(
      'health-server',
      { DATABASE_URL: cluster.url, PORT: '0', APP_ENV: 'test' },
      /health server on http:\/\/127\.0\.0\.1:(\d+) /,
    );
    child = started.child;
    port = Number(started.match[1]);
  });
  after(async () => {
    child?.kill('SIGTERM');
    await cluster?.destroy();
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
