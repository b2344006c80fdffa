import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { runCli, type CliRun } from '../support/run-cli.js';
import { ThrowawayCluster } from '../support/cluster.js';
import { adminQuery, withDatabase } from '../support/database.js';

// A server of our own: pg_hba demands SCRAM for every TCP login but the admin's, and every statement is logged,
// so the test can prove the passwords work, and that neither they nor their hashes reach the server log.
describe('init-db against a server with scram-sha-256 in pg_hba', () => {
  let cluster: ThrowawayCluster;
  const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-init-db-'));
  const appPassword = `app-${randomBytes(18).toString('base64url')}`;
  const backupPassword = `bak-${randomBytes(18).toString('base64url')}`;
  const outputs: string[] = [];

  const roleUrl = (role: string, password: string, database = 'appdb') =>
    `postgresql://${role}:${encodeURIComponent(password)}@127.0.0.1:${cluster.port}/${database}`;

  /** `npm run init-db` in the test's directory; with `cwd`, `npx sqlwright init-db` run from a service's directory instead. */
  async function initDb(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<CliRun> {
    const childEnv = {
      DATABASE_ADMIN_URL: cluster.url,
      APPUSER_PASSWORD_FILE: path.join(dir, 'appuser_password'),
      BACKUPUSER_PASSWORD_FILE: path.join(dir, 'backupuser_password'),
      ...env,
    };
    const run = await (cwd ? runCli('sqlwright', ['init-db', ...args], cwd, childEnv) : runCli('init-db', args, dir, childEnv));
    outputs.push(run.out);
    return run;
  }

  async function migrate(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
    const run = await runCli('migrate', args, dir, env);
    outputs.push(run.out);
    return run;
  }

  async function login(url: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  }

  before(async () => {
    cluster = await ThrowawayCluster.create({
      hba: ['local all all trust', 'host all postgres 127.0.0.1/32 trust', 'host all all 127.0.0.1/32 scram-sha-256'],
      config: [`log_statement = 'all'`, `log_min_error_statement = 'error'`],
    });
    writeFileSync(path.join(dir, 'appuser_password'), appPassword + '\n', { mode: 0o600 });
    writeFileSync(path.join(dir, 'backupuser_password'), backupPassword + '\n', { mode: 0o600 });
  });

  after(async () => {
    await cluster?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('before provisioning, migrates as the login and says so, with sqlwright\'s own sql/schema from any directory', async () => {
    await adminQuery(cluster.url, 'CREATE DATABASE devdb');
    const service = mkdtempSync(path.join(tmpdir(), 'sqlwright-service-')); // no sql/schema here
    try {
      const result = await initDb([], { DATABASE_URL: withDatabase(cluster.url, 'devdb') }, service);
      assert.equal(result.code, 0, result.out);
      assert.match(result.out, /^role appowner does not exist \(server not provisioned\): migrating as postgres\napplied 0001_app_schema\.sql as postgres\n/);
    } finally {
      rmSync(service, { recursive: true, force: true });
    }
  });

  it('provisions with the design defaults, then finds nothing to do (in production too, with no database.url)', async () => {
    const first = await initDb(['--provision']);
    assert.equal(first.code, 0, first.out);
    for (const line of ['role appowner: created (NOLOGIN)', 'role appuser: created (LOGIN)', 'role backupuser: created (LOGIN)',
      'password of appuser: updated (had none)', 'database appdb: created (owner appowner)', 'database temporal: created',
      'database temporal_visibility: created', 'provisioning done']) {
      assert.ok(first.out.includes(line), `missing "${line}" in\n${first.out}`);
    }
    const second = await initDb(['--provision', '--admin-url', cluster.url], { APP_ENV: 'production', DATABASE_ADMIN_URL: '' });
    assert.equal(second.code, 0, second.out);
    assert.match(second.out, /nothing to do: everything was already in place/);
    assert.doesNotMatch(second.out, /created|updated/);
  });

  it('applies the migrations as appowner, and refuses to migrate as appuser', async () => {
    const admin = { DATABASE_URL: withDatabase(cluster.url, 'appdb') };
    const migrated = await initDb([], admin);
    assert.equal(migrated.code, 0, migrated.out);
    assert.match(migrated.out, /applied 0001_app_schema\.sql as appowner/);
    assert.match((await initDb(['--role', 'appowner'], admin)).out, /up to date: nothing to apply/);

    const asAppUser = await initDb([], { DATABASE_URL: roleUrl('appuser', appPassword) });
    assert.equal(asAppUser.code, 1);
    assert.match(asAppUser.out, /appuser cannot SET ROLE appowner/);
    const owners = await adminQuery(`${cluster.url.replace(/\/postgres$/, '/appdb')}`,
      `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = 'app'::regnamespace`);
    assert.deepEqual(owners.rows, [{ owner: 'appowner' }]);
  });

  it('--url keeps the password file of the configuration (DATABASE_PASSWORD_FILE), in init-db and migrate alike', async () => {
    const appUserUrl = `postgresql://appuser@127.0.0.1:${cluster.port}/appdb`;
    const passwordFile = { DATABASE_PASSWORD_FILE: path.join(dir, 'appuser_password') };
    const status = await migrate(['status', '--url', appUserUrl], passwordFile);
    assert.equal(status.code, 0, status.out);
    assert.match(status.out, /^applied {2}0003_tasks\.sql /m);
    const initAsAppUser = await initDb(['--url', appUserUrl], passwordFile);
    assert.equal(initAsAppUser.code, 1, initAsAppUser.out);
    assert.match(initAsAppUser.out, /^init-db: appuser cannot SET ROLE appowner/m, 'logged in with the file\'s password');
    const started = Date.now();
    const noFile = await migrate(['status', '--url', appUserUrl]);
    assert.equal(noFile.code, 1, noFile.out);
    // No password for SCRAM fails in the client mid-handshake: the socket is closed at once, not held open
    // (and the process with it) until the server's 60 s authentication_timeout.
    assert.ok(Date.now() - started < 30_000, `exited after ${Date.now() - started} ms`);
  });

  it('lets appuser and backupuser log in with their files\' passwords over SCRAM, and nobody with a wrong one', async () => {
    const app = await login(roleUrl('appuser', appPassword));
    try {
      await app.query(`INSERT INTO app.users (first_name, last_name) VALUES ('Ada', 'Lovelace')`);
    } finally {
      await app.end();
    }
    const backup = await login(roleUrl('backupuser', backupPassword));
    try {
      assert.equal((await backup.query(`SELECT count(*)::int AS n FROM app.users`)).rows[0].n, 1);
    } finally {
      await backup.end();
    }
    for (const [role, password] of [['appuser', backupPassword], ['backupuser', `${backupPassword}x`], ['appowner', appPassword]]) {
      await assert.rejects(login(roleUrl(role, password)), (error: pg.DatabaseError) => {
        outputs.push(error.message);
        assert.equal(error.code, '28P01', `${role}: ${error.message}`);
        return true;
      });
    }
    const methods = await adminQuery(cluster.url, `SELECT rolname, left(rolpassword, 14) AS method FROM pg_authid WHERE rolname IN ('appuser', 'backupuser') ORDER BY 1`);
    assert.deepEqual(methods.rows, [{ rolname: 'appuser', method: 'SCRAM-SHA-256$' }, { rolname: 'backupuser', method: 'SCRAM-SHA-256$' }]);
  });

  it('rejects --provision with a SQLite URL with a clear message (init-db on SQLite: test/cli/init-db-sqlite.test.ts)', async () => {
    const result = await initDb(['--provision'], { DATABASE_URL: 'sqlite:///./database.db' });
    assert.equal(result.code, 2);
    assert.match(result.out, /--provision creates PostgreSQL databases, roles and grants; SQLite has none/);
  });

  it('keeps the passwords and their hashes out of the CLI output, its errors and the server log', async () => {
    const { rows } = await adminQuery(cluster.url, `SELECT rolpassword FROM pg_authid WHERE rolname IN ('appuser', 'backupuser')`);
    const serverLog = readFileSync(path.join(path.dirname(cluster.dataDir), 'server.log'), 'utf8');
    assert.match(serverLog, /ALTER DEFAULT PRIVILEGES FOR ROLE "appowner"/, 'the server logged statements');
    assert.match(serverLog, /password authentication failed for user "appuser"/);
    for (const secret of [appPassword, backupPassword, encodeURIComponent(appPassword), ...rows.map((r) => r.rolpassword)]) {
      assert.ok(!serverLog.includes(secret), 'a secret reached the server log');
      assert.deepEqual(outputs.filter((o) => o.includes(secret)), []);
    }
    assert.ok(outputs.length >= 7);
  });
});
