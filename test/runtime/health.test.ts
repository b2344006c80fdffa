import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { openDatabase, openDatabases } from '../../src/database.js';
import { loadConfig } from '../../src/config/load.js';
import { freePort } from '../support/cluster.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { captureLogger, testDatabaseConfig } from '../support/runtime.js';

/** Accepts TCP connections and never answers: a server that hangs. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => sockets.push(s));
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port,
    close: () => {
      sockets.forEach((s) => s.destroy());
      return new Promise((r) => server.close(() => r()));
    },
  };
}

describe('health checks', () => {
  let app: TestDatabase;
  let temporal: TestDatabase;
  before(async () => {
    [app, temporal] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  after(async () => {
    await Promise.all([app.drop(), temporal.drop()]);
  });

  it('reports ok with latency and pool status when the server answers', async () => {
    const db = openDatabase(testDatabaseConfig(app.url), { logger: captureLogger() });
    try {
      const report = await db.healthCheck();
      assert.equal(report.ok, true);
      assert.ok(report.latencyMs >= 0);
      assert.equal(report.error, undefined);
      assert.equal(report.pool.checkedOut, 0);
    } finally {
      await db.close();
    }
  });

  it('returns ok: false within its timeout when the server never answers', async () => {
    const hang = await silentServer();
    const db = openDatabase(testDatabaseConfig(`postgresql://postgres:hunter2@127.0.0.1:${hang.port}/x`), { logger: captureLogger() });
    try {
      const report = await db.healthCheck({ timeoutMs: 300 });
      assert.equal(report.ok, false);
      assert.match(report.error!, /timed out after 300 ms/);
      assert.doesNotMatch(report.error!, /hunter2/);
    } finally {
      await hang.close();
      await db.close(100);
    }
  });

  it('returns ok: false when the port is closed', async () => {
    const port = await freePort();
    const db = openDatabase(testDatabaseConfig(`postgresql://postgres@127.0.0.1:${port}/x`), { logger: captureLogger() });
    try {
      const report = await db.healthCheck({ timeoutMs: 2000 });
      assert.equal(report.ok, false);
      assert.ok(report.error);
    } finally {
      await db.close();
    }
  });

  it('checks and reports every configured database', async () => {
    const port = await freePort();
    const config = loadConfig({
      values: {
        database: { url: app.url },
        databases: { temporal: { url: temporal.url, pool_size: 2 }, temporal_visibility: { url: `postgresql://postgres@127.0.0.1:${port}/gone` } },
      },
      env: { APP_ENV: 'test' },
    });
    const dbs = openDatabases(config, { logger: captureLogger() });
    try {
      const health = await dbs.healthCheck({ timeoutMs: 2000 });
      assert.deepEqual(Object.keys(health), ['app', 'temporal', 'temporal_visibility']);
      assert.equal(health.app.ok, true);
      assert.equal(health.temporal.ok, true);
      assert.equal(health.temporal_visibility.ok, false);
      const status = dbs.poolStatus();
      assert.equal(status.temporal.size, 2);
      assert.equal(status.app.size, 5);
      const { rows } = await dbs.get('temporal').executor.query<{ db: string }>('SELECT current_database() AS db');
      assert.equal(rows[0].db, temporal.name);
    } finally {
      await dbs.close();
    }
  });
});
