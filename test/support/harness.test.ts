import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { NO_DATABASE_MESSAGE, discoverServer, testServer, createTestDatabase } from './database.js';
import { freePort } from './cluster.js';

describe('test database harness', () => {
  it('finds a server and gives each caller its own database', async () => {
    const server = await testServer();
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    assert.notEqual(a.name, b.name);
    const client = new pg.Client({ connectionString: a.url });
    await client.connect();
    const { rows } = await client.query('SELECT current_database() AS db');
    await client.end();
    assert.equal(rows[0].db, a.name);
    await Promise.all([a.drop(), b.drop()]);
    assert.ok(['env', 'local', 'testcontainers', 'cluster'].includes(server.kind));
  });

  it('falls back to a throwaway cluster when no server answers and nothing is set', async () => {
    const port = await freePort(); // nothing listens there: as if the local server were stopped
    const server = await discoverServer({ env: { PGPORT: String(port) }, dockerAvailable: () => false });
    assert.equal(server.kind, 'cluster');
    const client = new pg.Client({ connectionString: server.adminUrl });
    await client.connect();
    const { rows } = await client.query('SELECT 1 AS one');
    await client.end();
    assert.equal(rows[0].one, 1);
  });

  it('with no server, no Docker and no binaries, says exactly what to do', async () => {
    const port = await freePort();
    await assert.rejects(
      discoverServer({ env: { PGPORT: String(port) }, dockerAvailable: () => false, findBinDir: () => undefined }),
      (error: Error) => {
        assert.equal(error.message, NO_DATABASE_MESSAGE);
        assert.match(error.message, /TEST_DATABASE_URL/);
        assert.match(error.message, /initdb/);
        return true;
      },
    );
  });

  it('an unreachable TEST_DATABASE_URL fails instead of silently using another server', async () => {
    const port = await freePort();
    await assert.rejects(
      discoverServer({ env: { TEST_DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/postgres` } }),
      /TEST_DATABASE_URL is set but cannot be reached/,
    );
  });
});
