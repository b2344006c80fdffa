import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { makePlan } from '../../src/provision/plan.js';
import { provision } from '../../src/provision/provision.js';
import { ThrowawayCluster } from '../support/cluster.js';
import { REPO_ROOT, SCHEMA_DIR, adminQuery, withDatabase } from '../support/database.js';

/**
 * `npm run migrate` as a child process, on a server of its own: the design's role names (appowner, appuser)
 * are cluster-global, and the first test needs a server where appowner does not exist yet.
 */
describe('npm run migrate', () => {
  let cluster: ThrowawayCluster;
  const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-migrate-cli-'));
  const schema = path.join(dir, 'schema');
  const as = (role: string, database: string) => {
    const url = new URL(withDatabase(cluster.url, database));
    url.username = role;
    return url.toString();
  };

  function migrate(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
    const childEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env };
    return new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cli/migrate.ts', ...args], { cwd: REPO_ROOT, env: childEnv }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr });
      });
    });
  }

  const owners = async (database: string) =>
    (await adminQuery(withDatabase(cluster.url, database),
      `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace IN ('app'::regnamespace, 'sqlwright'::regnamespace)`,
    )).rows.map((r) => r.owner);

  before(async () => {
    cluster = await ThrowawayCluster.create();
    await adminQuery(cluster.url, 'CREATE DATABASE devdb');
    cpSync(SCHEMA_DIR, schema, { recursive: true });
  });
  after(async () => {
    await cluster?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on a server never provisioned, migrates as the login and says so in one line (never in production)', async () => {
    const production = await migrate(['up', '--url', `${withDatabase(cluster.url, 'devdb')}?sslmode=disable`], { APP_ENV: 'production' });
    assert.equal(production.code, 1, production.out);
    assert.match(production.out, /^migrate: role appowner does not exist/m);
    const schemas = await adminQuery(withDatabase(cluster.url, 'devdb'), `SELECT nspname FROM pg_namespace WHERE nspname IN ('app', 'sqlwright')`);
    assert.deepEqual(schemas.rows, [], 'nothing was created');

    const up = await migrate(['up', '--url', withDatabase(cluster.url, 'devdb')]);
    assert.equal(up.code, 0, up.out);
    assert.deepEqual(up.out.match(/^.*appowner.*$/gm), ['role appowner does not exist (server not provisioned): migrating as postgres']);
    assert.match(up.out, /^applied 0001_app_schema\.sql as postgres$/m);
    assert.deepEqual(await owners('devdb'), ['postgres']);

    const status = await migrate(['status'], { DATABASE_URL: withDatabase(cluster.url, 'devdb') });
    assert.equal(status.code, 0, status.out);
    assert.match(status.out, /^applied {2}0001_app_schema {2}\d{4}-.*Z {2}\d+ ms\napplied {2}0002_users .*\napplied {2}0003_tasks /m);
    assert.doesNotMatch(status.out, /pending/);
  });

  it('on a provisioned database runs as appowner: a new table is owned by it and usable by appuser with no GRANT', async () => {
    const connect = async (database?: string) => {
      const client = new pg.Client({ connectionString: database ? withDatabase(cluster.url, database) : cluster.url });
      await client.connect();
      return client;
    };
    await provision(connect, makePlan(), { info: () => {}, warn: () => {} });

    const first = await migrate(['up', '--schema', schema], { DATABASE_URL: withDatabase(cluster.url, 'appdb') });
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /^applied 0003_tasks\.sql as appowner$/m);
    assert.doesNotMatch(first.out, /does not exist/);

    writeFileSync(path.join(schema, '0004_widgets.sql'), 'CREATE TABLE app.widgets (id int PRIMARY KEY, name text NOT NULL);\n');
    const second = await migrate(['up', '--schema', schema, '--url', withDatabase(cluster.url, 'appdb')]);
    assert.equal(second.code, 0, second.out);
    assert.equal(second.out.trim(), 'applied 0004_widgets.sql as appowner');
    assert.deepEqual(await owners('appdb'), ['appowner']);

    const app = new pg.Client({ connectionString: as('appuser', 'appdb') });
    await app.connect();
    try {
      await app.query(`INSERT INTO app.widgets VALUES (1, 'sprocket')`);
      assert.deepEqual((await app.query('SELECT name FROM app.widgets')).rows, [{ name: 'sprocket' }]);
      await assert.rejects(app.query('DROP TABLE app.widgets'), /must be owner/);
    } finally {
      await app.end();
    }
  });

  it('fails clearly when the login cannot become the owner, or the named owner role does not exist', async () => {
    writeFileSync(path.join(schema, '0005_gadgets.sql'), 'CREATE TABLE app.gadgets (id int PRIMARY KEY);\n');
    const asAppUser = await migrate(['up', '--schema', schema, '--url', as('appuser', 'appdb')]);
    assert.equal(asAppUser.code, 1, asAppUser.out);
    assert.equal(asAppUser.out.trim(), 'migrate: appuser cannot SET ROLE appowner: migrate with an admin login (--url) or a member of appowner');

    const missing = await migrate(['up', '--schema', schema, '--url', withDatabase(cluster.url, 'appdb')], { DATABASE_OWNER_ROLE: 'shopowner' });
    assert.equal(missing.code, 1, missing.out);
    assert.match(missing.out, /^migrate: role shopowner does not exist/m);

    const status = await migrate(['status', '--schema', schema, '--url', withDatabase(cluster.url, 'appdb')]);
    assert.match(status.out, /^pending {2}0005_gadgets\.sql$/m, 'nothing was applied');
  });

  it('reports a failing migration with its line, the server\'s message and SQLSTATE, and exits 1', async () => {
    writeFileSync(path.join(schema, '0005_gadgets.sql'), 'CREATE TABLE app.gadgets (id int PRIMARY KEY);\nSELECT nope FROM app.gadgets;\n');
    const up = await migrate(['up', '--schema', schema, '--url', withDatabase(cluster.url, 'appdb')]);
    assert.equal(up.code, 1, up.out);
    assert.match(up.out, /^migrate: migration 0005_gadgets\.sql failed at line 2, column 8: column "nope" does not exist \(SQLSTATE 42703\); it was rolled back$/m);
    rmSync(path.join(schema, '0005_gadgets.sql'));
  });

  it('verify passes, then fails with exit 1 naming the file once an applied migration was edited; up refuses too', async () => {
    const url = withDatabase(cluster.url, 'appdb');
    const ok = await migrate(['verify', '--schema', schema, '--url', url]);
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /^verified: applied migrations match their files$/m);

    appendFileSync(path.join(schema, '0004_widgets.sql'), '-- edited after it was applied\n');
    const verify = await migrate(['verify', '--schema', schema, '--url', url]);
    assert.equal(verify.code, 1, verify.out);
    assert.equal(verify.out.trim(), 'migrate: applied migrations do not match sql/schema: 0004_widgets (checksum-mismatch)');
    const up = await migrate(['up', '--schema', schema, '--url', url]);
    assert.equal(up.code, 1, up.out);
    assert.match(up.out, /0004_widgets \(checksum-mismatch\)/);
  });

  it('takes the database from config.yaml, and sends a SQLite database to init-db', async () => {
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, `database: { url: "${withDatabase(cluster.url, 'devdb')}" }\n`);
    const status = await migrate(['status'], { CONFIG_FILE: config });
    assert.equal(status.code, 0, status.out);
    assert.match(status.out, /^applied {2}0003_tasks /m);

    writeFileSync(config, `database: { url: "sqlite:///${path.join(dir, 'app.db')}" }\n`);
    const sqlite = await migrate(['up'], { CONFIG_FILE: config });
    assert.equal(sqlite.code, 2, sqlite.out);
    assert.match(sqlite.out, /is SQLite, which has no migrations: `npm run init-db` creates its tables/);
    const none = await migrate(['up']);
    assert.equal(none.code, 2, none.out);
    assert.match(none.out, /^migrate: no database: set DATABASE_URL, database\.url in config\.yaml, or pass --url$/m);
    const usage = await migrate(['sideways']);
    assert.equal(usage.code, 2, usage.out);
    assert.match(usage.out, /^usage: npm run migrate -- up\|status\|verify/m);
  });
});
