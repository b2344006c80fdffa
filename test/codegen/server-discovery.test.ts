import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { discoverCodegenServer } from '../../codegen/database.js';
import { freePort } from '../../codegen/server/cluster.js';
import { testServer } from '../support/database.js';

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
    const cluster = await discoverCodegenServer(options);
    assert.equal(cluster.kind, 'cluster');
    const client = new pg.Client({ connectionString: cluster.adminUrl });
    await client.connect();
    try {
      assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
    } finally {
      await client.end();
    }
    assert.deepEqual(await discoverCodegenServer({ ...options, findBinDir: () => undefined }), { kind: 'pglite' });
  });
});
