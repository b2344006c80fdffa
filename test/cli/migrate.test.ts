import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase } from '../../src/database.js';
import { silentLogger } from '../../src/log.js';
import { makePlan } from '../../src/provision/plan.js';
import { provision } from '../../src/provision/provision.js';
import { ensureSchema } from '../../src/setup.js';
import { ThrowawayCluster } from '../support/cluster.js';
import { SCHEMA_DIR, adminQuery, withDatabase } from '../support/database.js';
import { runCli } from '../support/run-cli.js';

/**
 * `npm run migrate` as a child process, on a server of its own: the design's role names (appowner, appuser)
 * are cluster-global, and the first test needs a server where appowner does not exist yet.
 */
describe('npm run migrate', () => {
  let cluster: ThrowawayCluster;
  const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-migrate-cli-'));
  const schema = path.join(dir, 'schema');
  /** Production may connect without TLS only where the configuration says so explicitly. */
  const insecureConfig = path.join(dir, 'insecure.yaml');
  const as = (role: string, database: string) => {
    const url = new URL(withDatabase(cluster.url, database));
    url.username = role;
    return url.toString();
  };
  const at = (database: string) => withDatabase(cluster.url, database);
  const migrate = (args: string[], env: Record<string, string> = {}) => runCli('migrate', args, dir, env);

  const owners = async (database: string) =>
    (await adminQuery(at(database),
      `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace IN ('app'::regnamespace, 'sqlwright'::regnamespace)`,
    )).rows.map((r) => r.owner);
  const schemasOf = async (database: string) =>
    (await adminQuery(at(database), `SELECT nspname FROM pg_namespace WHERE nspname IN ('app', 'sqlwright')`)).rows;

  before(async () => {
    cluster = await ThrowawayCluster.create();
    await adminQuery(cluster.url, 'CREATE DATABASE devdb');
    cpSync(SCHEMA_DIR, schema, { recursive: true });
    writeFileSync(insecureConfig, 'database: { ssl: { allow_insecure: true } }\n');
  });
  after(async () => {
    await cluster?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--url replaces only the URL: production still refuses it without TLS, unless the configuration allows it', async () => {
    const disabled = await migrate(['up', '--url', `${at('devdb')}?sslmode=disable`], { APP_ENV: 'production' });
    assert.equal(disabled.code, 1, disabled.out);
    assert.match(disabled.out, /^migrate: database\.url \(sslmode=disable\): the production profile requires TLS/m);
    const defaulted = await migrate(['up', '--url', at('devdb')], { APP_ENV: 'production' });
    assert.equal(defaulted.code, 1, defaulted.out);
    assert.match(defaulted.out, /^migrate: cannot connect to .*: The server does not support SSL connections/m, 'production defaults to verify-full');
    const required = await migrate(['status', '--url', `${at('devdb')}?sslmode=require`]);
    assert.equal(required.code, 1, required.out);
    assert.match(required.out, /does not support SSL connections/, 'the URL\'s sslmode is honoured');
    assert.deepEqual(await schemasOf('devdb'), [], 'nothing was created');
  });

  it('on a server never provisioned, migrates as the login and says so in one line (never in production)', async () => {
    const production = await migrate(['up', '--url', `${at('devdb')}?sslmode=disable`], { APP_ENV: 'production', CONFIG_FILE: insecureConfig });
    assert.equal(production.code, 1, production.out);
    assert.match(production.out, /^migrate: role appowner does not exist/m);
    assert.deepEqual(await schemasOf('devdb'), [], 'nothing was created');

    const up = await migrate(['up', '--url', at('devdb')]);
    assert.equal(up.code, 0, up.out);
    assert.deepEqual(up.out.match(/^.*appowner.*$/gm), ['role appowner does not exist (server not provisioned): migrating as postgres']);
    assert.match(up.out, /^applied 0001_app_schema\.sql as postgres$/m);
    assert.deepEqual(await owners('devdb'), ['postgres']);

    const status = await migrate(['status'], { DATABASE_URL: at('devdb') });
    assert.equal(status.code, 0, status.out);
    assert.match(status.out, /^applied {2}0001_app_schema\.sql {2}\d{4}-.*Z {2}\d+ ms\napplied {2}0002_users\.sql .*\napplied {2}0003_tasks\.sql /m);
    assert.doesNotMatch(status.out, /pending/);
  });

  it('on a provisioned database runs as appowner: a new table is owned by it and usable by appuser with no GRANT', async () => {
    const connect = async (database?: string) => {
      const client = new pg.Client({ connectionString: database ? at(database) : cluster.url });
      await client.connect();
      return client;
    };
    await provision(connect, makePlan(), { info: () => {}, warn: () => {} });

    const first = await migrate(['up', '--schema', schema], { DATABASE_URL: at('appdb') });
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /^applied 0003_tasks\.sql as appowner$/m);
    assert.doesNotMatch(first.out, /does not exist|no CREATE/);

    writeFileSync(path.join(schema, '0004_widgets.sql'), 'CREATE TABLE app.widgets (id int PRIMARY KEY, name text NOT NULL);\n');
    const second = await migrate(['up', '--schema', schema, '--url', at('appdb')]);
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

  it('another database of a server provisioned for appdb: the login migrates it and says why; production refuses', async () => {
    await adminQuery(cluster.url, 'CREATE DATABASE otherdb');
    const production = await migrate(['up', '--url', `${at('otherdb')}?sslmode=disable`], { APP_ENV: 'production', CONFIG_FILE: insecureConfig });
    assert.equal(production.code, 1, production.out);
    assert.equal(production.out.trim(),
      'migrate: role appowner may not create schemas in database otherdb (no CREATE on it, and it does not own schema app): ' +
      'provision this database for it (`init-db --provision --databases otherdb`) or name its owner role with --role or DATABASE_OWNER_ROLE');
    assert.deepEqual(await schemasOf('otherdb'), [], 'nothing was created');

    const up = await migrate(['up', '--url', at('otherdb')]);
    assert.equal(up.code, 0, up.out);
    assert.deepEqual(up.out.match(/^.*appowner.*$/gm), ['role appowner has no CREATE on database otherdb (not provisioned for it): migrating as postgres']);
    assert.match(up.out, /^applied 0003_tasks\.sql as postgres$/m);
    assert.deepEqual(await owners('otherdb'), ['postgres']);
  });

  it('ensureSchema makes the same owner decision as migrate up, silently, and needs no owner when up to date', async () => {
    await adminQuery(cluster.url, 'CREATE DATABASE shopdb');
    await provision(async (database) => {
      const client = new pg.Client({ connectionString: database ? at(database) : cluster.url });
      await client.connect();
      return client;
    }, makePlan({ appDatabase: 'shopdb', temporalDatabases: [] }), { info: () => {}, warn: () => {} });
    await adminQuery(cluster.url, 'CREATE DATABASE plaindb');
    const ensure = async (url: string) => {
      const db = openDatabase(loadConfig({ values: { database: { url } }, env: { APP_ENV: 'test' } }), { logger: silentLogger });
      try {
        return await ensureSchema(db, { env: {} });
      } finally {
        await db.close();
      }
    };
    assert.deepEqual(await ensure(at('shopdb')), ['0001_app_schema.sql', '0002_users.sql', '0003_tasks.sql']);
    assert.deepEqual(await owners('shopdb'), ['appowner'], 'provisioned for appowner: migrated as appowner');
    assert.equal((await ensure(at('plaindb'))).length, 3);
    assert.deepEqual(await owners('plaindb'), ['postgres'], 'appowner may not create here: migrated as the login');
    assert.deepEqual(await ensure(as('appuser', 'shopdb')), [], 'up to date: appuser, which cannot SET ROLE appowner, starts fine');
  });

  it('fails clearly when the login cannot become the owner, or the named owner role does not exist', async () => {
    writeFileSync(path.join(schema, '0005_gadgets.sql'), 'CREATE TABLE app.gadgets (id int PRIMARY KEY);\n');
    const asAppUser = await migrate(['up', '--schema', schema, '--url', as('appuser', 'appdb')]);
    assert.equal(asAppUser.code, 1, asAppUser.out);
    assert.equal(asAppUser.out.trim(), 'migrate: appuser cannot SET ROLE appowner: migrate with an admin login (--url) or a member of appowner');

    const missing = await migrate(['up', '--schema', schema, '--url', at('appdb')], { DATABASE_OWNER_ROLE: 'shopowner' });
    assert.equal(missing.code, 1, missing.out);
    assert.match(missing.out, /^migrate: role shopowner does not exist/m);

    const status = await migrate(['status', '--schema', schema, '--url', at('appdb')]);
    assert.match(status.out, /^pending {2}0005_gadgets\.sql$/m, 'nothing was applied');
  });

  it('reports a failing migration with its line, the server\'s message and SQLSTATE, and exits 1', async () => {
    writeFileSync(path.join(schema, '0005_gadgets.sql'), 'CREATE TABLE app.gadgets (id int PRIMARY KEY);\nSELECT nope FROM app.gadgets;\n');
    const up = await migrate(['up', '--schema', schema, '--url', at('appdb')]);
    assert.equal(up.code, 1, up.out);
    assert.match(up.out, /^migrate: migration 0005_gadgets\.sql failed at line 2, column 8: column "nope" does not exist \(SQLSTATE 42703\); it was rolled back$/m);
    rmSync(path.join(schema, '0005_gadgets.sql'));
  });

  it('verify says what is pending, passes, then fails with exit 1 naming the file once an applied migration was edited', async () => {
    await adminQuery(cluster.url, 'CREATE DATABASE emptydb');
    const empty = await migrate(['verify', '--schema', schema, '--url', at('emptydb')]);
    assert.equal(empty.code, 0, empty.out);
    assert.equal(empty.out.trim(), 'verified: nothing applied yet; 4 pending (`migrate up` applies them)');

    const url = at('appdb');
    const ok = await migrate(['verify', '--schema', schema, '--url', url]);
    assert.equal(ok.code, 0, ok.out);
    assert.equal(ok.out.trim(), 'verified: applied migrations match their files');

    appendFileSync(path.join(schema, '0004_widgets.sql'), '-- edited after it was applied\n');
    const verify = await migrate(['verify', '--schema', schema, '--url', url]);
    assert.equal(verify.code, 1, verify.out);
    assert.equal(verify.out.trim(), 'migrate: applied migrations do not match sql/schema: 0004_widgets (checksum-mismatch)');
    const up = await migrate(['up', '--schema', schema, '--url', url]);
    assert.equal(up.code, 1, up.out);
    assert.match(up.out, /0004_widgets \(checksum-mismatch\)/);
  });

  it('takes the database from config.yaml, and sends a SQLite database (configured or the default) to init-db', async () => {
    const config = path.join(dir, 'service.yaml'); // not config.yaml: the working directory stays unconfigured
    writeFileSync(config, `database: { url: "${at('devdb')}" }\n`);
    const status = await migrate(['status'], { CONFIG_FILE: config });
    assert.equal(status.code, 0, status.out);
    assert.match(status.out, /^applied {2}0003_tasks\.sql /m);

    writeFileSync(config, `database: { url: "sqlite:///${path.join(dir, 'app.db')}" }\n`);
    const sqlite = await migrate(['up'], { CONFIG_FILE: config });
    assert.equal(sqlite.code, 2, sqlite.out);
    assert.match(sqlite.out, /^migrate: the database is sqlite:\/\/\/\S+app\.db, which is SQLite: migrations are PostgreSQL-only\. `npm run init-db` creates the SQLite tables/m);
    // Nothing configured at all (the temporary working directory has no config.yaml): the development default.
    const none = await migrate(['up']);
    assert.equal(none.code, 2, none.out);
    assert.match(none.out, /^migrate: the database is sqlite:\/\/\/database\.db \(the development default\), which is SQLite: migrations are PostgreSQL-only\. `npm run init-db` creates/m);
  });

  it('exit 2 with the reason for a usage mistake, exit 1 for a bad configuration, whatever the flags', async () => {
    for (const [args, reason] of [
      [['sideways'], /^migrate: unknown command "sideways": expected up, status, verify$/m],
      [[], /^migrate: name a command: up, status, verify$/m],
      [['up', 'down'], /^migrate: up takes no further arguments$/m],
      [['up', '--lock-timeout', '0'], /^migrate: --lock-timeout: expected a whole number of milliseconds > 0, got "0"$/m],
      [['up', '--lock-timeout='], /^migrate: --lock-timeout: expected a whole number of milliseconds > 0, got ""$/m],
      [['up', '--lock-timeout', 'abc'], /^migrate: --lock-timeout: expected a whole number of milliseconds > 0, got "abc"$/m],
      [['up', '--lock-timeout', '1.5'], /got "1\.5"$/m],
      [['up', '--url='], /^migrate: --url is empty$/m],
      [['up', '--nope'], /^migrate: Unknown option '--nope'/m],
    ] as const) {
      const run = await migrate([...args], { DATABASE_URL: at('devdb') });
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.out}`);
      assert.match(run.stderr, reason);
      assert.match(run.stderr, /^usage: npm run migrate -- up\|status\|verify/m);
    }
    const help = await migrate(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: npm run migrate/);

    const missingConfig = await migrate(['status', '--url', at('devdb')], { CONFIG_FILE: path.join(dir, 'nope.yaml') });
    assert.equal(missingConfig.code, 1, missingConfig.out);
    assert.match(missingConfig.out, /^migrate: .*nope\.yaml: ENOENT/m);
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'database: { pool_size: 0 }\n');
    const badConfig = await migrate(['status', '--url', at('devdb')], { CONFIG_FILE: bad });
    assert.equal(badConfig.code, 1, badConfig.out);
    assert.match(badConfig.out, /database\.pool_size/);
  });
});
