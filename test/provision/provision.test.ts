import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Repositories } from '../../generated/index.js';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase } from '../../src/database.js';
import { Migrator } from '../../src/migrate/migrator.js';
import { makePlan, type ProvisionPlan } from '../../src/provision/plan.js';
import { provision, ProvisionError } from '../../src/provision/provision.js';
import type { ConnectAdmin, ProvisionLogger, ProvisionReport } from '../../src/provision/report.js';
import { verifyScram } from '../../src/provision/scram.js';
import { SecretFileError } from '../../src/provision/secrets.js';
import { SCHEMA_DIR, adminQuery, testServer, withDatabase } from '../support/database.js';

// Roles are cluster-global and test files run side by side: every name carries this file's own tag.
const tag = `t${process.pid}_${randomBytes(3).toString('hex')}`;
const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-provision-'));
const appPassword = `app-${randomBytes(18).toString('base64url')}`;
const backupPassword = `bak-${randomBytes(18).toString('base64url')}`;
const appFile = path.join(dir, 'appuser_password');
const backupFile = path.join(dir, 'backupuser_password');

const plan: ProvisionPlan = makePlan({
  appDatabase: `${tag}_appdb`,
  temporalDatabases: [`${tag}_temporal`, `${tag}_temporal_visibility`],
  owner: `${tag}_appowner`,
  appUser: { name: `${tag}_appuser`, passwordFile: appFile },
  backupUser: { name: `${tag}_backupuser`, passwordFile: backupFile },
});
const legacyDb = `${tag}_legacy`;
const temporalRole = `${tag}_temporal`;
let adminUser: string;
const { owner } = plan;
const appuser = plan.appUser.name;
const backupuser = plan.backupUser.name;

/** Every log line and error message of the run, checked for the passwords at the end. */
const captured: string[] = [];
const logger: ProvisionLogger = {
  info: (m) => captured.push(m),
  warn: (m) => captured.push(m),
};

let adminUrl: string;
const connectAdmin: ConnectAdmin = async (database) => {
  const client = new pg.Client({ connectionString: database ? withDatabase(adminUrl, database) : adminUrl });
  await client.connect();
  return client;
};

async function run(p: ProvisionPlan = plan): Promise<ProvisionReport> {
  try {
    return await provision(connectAdmin, p, logger);
  } catch (error) {
    captured.push(String(error), (error as Error).stack ?? '');
    throw error;
  }
}

/** A connection logged in as `role` (the shared server trusts local TCP logins; SCRAM is proved in scram-login). */
async function loginAs(role: string, database = plan.appDatabase): Promise<pg.Client> {
  const url = new URL(withDatabase(adminUrl, database));
  url.username = role;
  url.password = '';
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
  } catch (error) {
    captured.push(String(error));
    throw error;
  }
  return client;
}

async function as<T>(role: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = await loginAs(role);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Asserts the statement fails with a permission error (SQLSTATE 42501). */
async function denied(client: pg.Client, sql: string): Promise<void> {
  await assert.rejects(client.query(sql), (error: pg.DatabaseError) => {
    captured.push(error.message);
    assert.equal(error.code, '42501', `${sql}: ${error.message}`);
    return true;
  }, sql);
}

async function migrateAsOwner(database: string, schemaDir = SCHEMA_DIR): Promise<string[]> {
  const client = await connectAdmin(database);
  try {
    const applied = await new Migrator(client, { dir: schemaDir, role: owner }).up();
    return applied.map((f) => f.fileName);
  } finally {
    await client.end();
  }
}

async function storedPasswords(): Promise<Record<string, string | null>> {
  const { rows } = await adminQuery(adminUrl, `SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY($1)`, [[owner, appuser, backupuser]]);
  return Object.fromEntries(rows.map((r) => [r.rolname, r.rolpassword]));
}

describe('provisioning on a real PostgreSQL', () => {
  let first: ProvisionReport;

  before(async () => {
    adminUrl = (await testServer()).adminUrl;
    adminUser = (await adminQuery(adminUrl, 'SELECT current_user AS me')).rows[0].me;
    writeFileSync(appFile, appPassword + '\n', { mode: 0o600 });
    writeFileSync(backupFile, backupPassword, { mode: 0o600 });
    first = await run();
    await migrateAsOwner(plan.appDatabase);
  });

  after(async () => {
    for (const db of [plan.appDatabase, ...plan.temporalDatabases, legacyDb]) {
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    }
    for (const role of [appuser, backupuser, owner, temporalRole]) await adminQuery(adminUrl, `DROP ROLE IF EXISTS ${role}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the three roles and the databases, and reports each step', async () => {
    assert.equal(first.changed, true);
    const status = Object.fromEntries(first.steps.map((s) => [s.subject, s.status]));
    for (const role of [owner, appuser, backupuser]) assert.equal(status[`role ${role}`], 'created');
    for (const db of [plan.appDatabase, ...plan.temporalDatabases]) assert.equal(status[`database ${db}`], 'created');
    assert.equal(status[`privileges in ${plan.appDatabase}`], 'updated');

    const roles = await adminQuery(adminUrl,
      `SELECT rolname, rolcanlogin, rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls AS powers
         FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`, [[owner, appuser, backupuser]]);
    assert.deepEqual(roles.rows, [
      { rolname: owner, rolcanlogin: false, powers: false },
      { rolname: appuser, rolcanlogin: true, powers: false },
      { rolname: backupuser, rolcanlogin: true, powers: false },
    ].sort((a, b) => a.rolname.localeCompare(b.rolname)));
    const dbs = await adminQuery(adminUrl,
      `SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname LIKE $1 ORDER BY 1`, [`${tag}%`]);
    const me = (await adminQuery(adminUrl, 'SELECT current_user AS me')).rows[0].me;
    assert.deepEqual(dbs.rows, [
      { datname: plan.appDatabase, owner },
      { datname: plan.temporalDatabases[0], owner: me },
      { datname: plan.temporalDatabases[1], owner: me },
    ]);
  });

  it('stores SCRAM-SHA-256 hashes of the files\' passwords (one trailing newline dropped) and none for the owner', async () => {
    const stored = await storedPasswords();
    assert.match(stored[appuser]!, /^SCRAM-SHA-256\$4096:/);
    assert.match(stored[backupuser]!, /^SCRAM-SHA-256\$4096:/);
    assert.ok(verifyScram(stored[appuser], appPassword));
    assert.ok(verifyScram(stored[backupuser], backupPassword));
    assert.equal(stored[owner], null);
  });

  it('runs migrations as the owner: schemas, tables, functions, types and the ledger belong to it', async () => {
    const { rows } = await adminQuery(withDatabase(adminUrl, plan.appDatabase), `
      SELECT DISTINCT owner FROM (
        SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname IN ('app', 'sqlwright')
        UNION ALL SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relnamespace IN ('app'::regnamespace, 'sqlwright'::regnamespace)
        UNION ALL SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = 'app'::regnamespace
        UNION ALL SELECT pg_get_userbyid(typowner) FROM pg_type WHERE typnamespace = 'app'::regnamespace) o`);
    assert.deepEqual(rows, [{ owner }]);
    const tables = await adminQuery(withDatabase(adminUrl, plan.appDatabase),
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'app'`);
    assert.equal(tables.rows[0].n, 3);
  });

  it('lets appuser create, read, update and delete rows in every app table', async () => {
    await as(appuser, async (c) => {
      const user = (await c.query(`INSERT INTO app.users (first_name, last_name, email) VALUES ('Ada', 'Lovelace', $1) RETURNING id`, [`ada@${tag}.test`])).rows[0];
      await c.query(`INSERT INTO app.user_identities (user_id, provider, subject) VALUES ($1, 'google', 'sub-1')`, [user.id]);
      const task = (await c.query(
        `INSERT INTO app.tasks (title, status, owner_id, labels) VALUES ('write docs', 'doing', $1, '{a}') RETURNING id`, [user.id])).rows[0];
      await c.query(`UPDATE app.users SET last_name = 'King' WHERE id = $1`, [user.id]);
      await c.query(`UPDATE app.tasks SET status = 'done' WHERE id = $1`, [task.id]);
      const read = await c.query(
        `SELECT u.last_name, t.status, i.subject FROM app.users u JOIN app.tasks t ON t.owner_id = u.id
           JOIN app.user_identities i ON i.user_id = u.id WHERE u.id = $1`, [user.id]);
      assert.deepEqual(read.rows, [{ last_name: 'King', status: 'done', subject: 'sub-1' }]);
      assert.equal((await c.query(`DELETE FROM app.tasks WHERE id = $1`, [task.id])).rowCount, 1);
      assert.equal((await c.query(`DELETE FROM app.users WHERE id = $1`, [user.id])).rowCount, 1);
      assert.equal((await c.query(`SELECT count(*)::int AS n FROM app.user_identities WHERE user_id = $1`, [user.id])).rows[0].n, 0);
    });
  });

  it('lets appuser CRUD through the generated repositories and the runtime', async () => {
    const url = new URL(withDatabase(adminUrl, plan.appDatabase));
    url.username = appuser;
    const db = openDatabase(loadConfig({ values: { database: { url: url.toString() } }, env: { APP_ENV: 'test' } }), {
      repositories: (executor) => new Repositories(executor),
      logger: { info() {}, warn() {}, error() {} },
    });
    try {
      const user = await db.transaction(async (repos) => {
        const created = await repos.users.create({ firstName: 'Repo', lastName: 'User', email: `repo@${tag}.test` });
        await repos.userIdentities.create({ userId: created.id, provider: 'google', subject: `repo-${tag}` });
        await repos.tasks.create({ title: 'through repositories', ownerId: created.id, labels: ['a'], metadata: { ok: true } });
        return created;
      });
      assert.equal((await db.repositories.users.update(user.id, { lastName: 'Updated' })).lastName, 'Updated');
      assert.equal((await db.repositories.tasks.listOpenTasksOfOwner({ ownerId: user.id })).length, 1);
      assert.equal(await db.repositories.users.delete(user.id), true);
      assert.equal(await db.repositories.users.get(user.id), null);
      const { rows } = await db.executor.query<{ who: string }>('SELECT current_user AS who');
      assert.equal(rows[0].who, appuser);
    } finally {
      await db.close();
    }
  });

  it('denies appuser every schema change in app (CREATE, ALTER, DROP, TRUNCATE) and becoming the owner', async () => {
    await as(appuser, async (c) => {
      await denied(c, `CREATE TABLE app.evil (id int)`);
      await denied(c, `ALTER TABLE app.users ADD COLUMN evil text`);
      await denied(c, `DROP TABLE app.tasks`);
      await denied(c, `TRUNCATE app.users CASCADE`);
      await denied(c, `CREATE INDEX evil_idx ON app.users (first_name)`);
      await denied(c, `CREATE TABLE public.evil (id int)`);
      await denied(c, `CREATE TEMPORARY TABLE evil (id int)`);
      await denied(c, `INSERT INTO sqlwright.schema_migrations VALUES (99, 'evil', 'x', 0)`);
      await denied(c, `SET ROLE ${owner}`);
    });
  });

  it('lets backupuser read every table (the ledger too) and denies every write', async () => {
    await adminQuery(withDatabase(adminUrl, plan.appDatabase), `INSERT INTO app.users (first_name, last_name) VALUES ('Grace', 'Hopper')`);
    await as(backupuser, async (c) => {
      for (const table of ['app.users', 'app.user_identities', 'app.tasks', 'sqlwright.schema_migrations']) {
        await c.query(`SELECT * FROM ${table}`);
      }
      assert.equal((await c.query(`SELECT count(*)::int AS n FROM app.users WHERE last_name = 'Hopper'`)).rows[0].n, 1);
      await denied(c, `INSERT INTO app.users (first_name, last_name) VALUES ('x', 'y')`);
      await denied(c, `UPDATE app.users SET first_name = 'x'`);
      await denied(c, `DELETE FROM app.users`);
      await denied(c, `TRUNCATE app.tasks`);
      await denied(c, `CREATE TABLE app.evil (id int)`);
      await denied(c, `DROP TABLE app.tasks`);
      await denied(c, `SELECT * FROM app.users FOR UPDATE`);
    });
  });

  it('does not let the owner log in', async () => {
    await assert.rejects(loginAs(owner), (error: pg.DatabaseError) => {
      assert.equal(error.code, '28000');
      assert.match(error.message, /not permitted to log in/);
      return true;
    });
  });

  it('keeps the application roles out of the Temporal databases', async () => {
    for (const db of plan.temporalDatabases) {
      for (const role of [appuser, backupuser]) {
        await assert.rejects(loginAs(role, db), (error: pg.DatabaseError) => error.code === '42501');
      }
    }
  });

  it('hands the Temporal databases to --temporal-owner, which can then connect to them', async () => {
    await adminQuery(adminUrl, `CREATE ROLE ${temporalRole} LOGIN`);
    const report = await run({ ...plan, temporalOwner: temporalRole });
    for (const db of plan.temporalDatabases) {
      assert.deepEqual(report.steps.find((s) => s.subject === `database ${db}`), { subject: `database ${db}`, status: 'updated', detail: `owner was ${adminUser}` });
      const client = await loginAs(temporalRole, db);
      await client.query(`CREATE TABLE public.executions (id int)`); // Temporal's schema tool does this
      await client.end();
      await assert.rejects(loginAs(appuser, db), (error: pg.DatabaseError) => error.code === '42501');
    }
    assert.equal((await run({ ...plan, temporalOwner: temporalRole })).changed, false);
    assert.equal((await run()).changed, false, 'without the option, an existing owner is left alone');
  });

  it('changes nothing when run again, and says so', async () => {
    const passwordsBefore = await storedPasswords();
    const lines = captured.length;
    const again = await run();
    assert.equal(again.changed, false);
    assert.deepEqual(again.steps.filter((s) => s.status !== 'unchanged'), []);
    assert.ok(again.steps.length >= 10);
    assert.deepEqual(await storedPasswords(), passwordsBefore, 'passwords were not re-salted');
    assert.equal(captured.at(-1), 'nothing to do: everything was already in place');
    assert.ok(captured.length > lines);
  });

  it('gives a table of a later migration the same grants, with no new GRANT and no new provisioning', async () => {
    const schemaDir = path.join(dir, 'schema');
    cpSync(SCHEMA_DIR, schemaDir, { recursive: true });
    writeFileSync(path.join(schemaDir, '0999_notes.sql'),
      `CREATE TABLE app.notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL);\n`);
    assert.deepEqual(await migrateAsOwner(plan.appDatabase, schemaDir), ['0999_notes.sql']);
    await as(appuser, async (c) => {
      const { rows } = await c.query(`INSERT INTO app.notes (body) VALUES ('hello') RETURNING id`); // needs USAGE on the sequence
      await c.query(`UPDATE app.notes SET body = 'bye' WHERE id = $1`, [rows[0].id]);
      assert.deepEqual((await c.query(`SELECT body FROM app.notes`)).rows, [{ body: 'bye' }]);
      await denied(c, `DROP TABLE app.notes`);
    });
    await as(backupuser, async (c) => {
      assert.equal((await c.query(`SELECT count(*)::int AS n FROM app.notes`)).rows[0].n, 1);
      await denied(c, `INSERT INTO app.notes (body) VALUES ('x')`);
    });
    await as(appuser, async (c) => c.query(`DELETE FROM app.notes`));
    // The default privileges produced exactly the planned state: provisioning finds nothing to fix.
    assert.equal((await run()).changed, false);
  });

  it('puts drifted roles right: attributes, membership in the owner, a rotated password', async () => {
    await adminQuery(adminUrl, `ALTER ROLE ${appuser} CREATEDB`);
    await adminQuery(adminUrl, `ALTER ROLE ${owner} LOGIN`);
    await adminQuery(adminUrl, `GRANT ${owner} TO ${backupuser}`);
    const rotated = `rot-${randomBytes(18).toString('base64url')}`;
    writeFileSync(appFile, rotated + '\n');
    try {
      const report = await run();
      const byStep = Object.fromEntries(report.steps.map((s) => [s.subject, `${s.status} ${s.detail ?? ''}`.trim()]));
      assert.equal(byStep[`role ${appuser}`], 'updated was CREATEDB');
      assert.equal(byStep[`role ${owner}`], 'updated was LOGIN');
      assert.equal(byStep[`membership of ${backupuser} in ${owner}`], 'updated revoked');
      assert.equal(byStep[`password of ${appuser}`], 'updated was a different password');
      assert.equal(byStep[`password of ${backupuser}`], 'unchanged');
      assert.ok(verifyScram((await storedPasswords())[appuser], rotated));
      await assert.rejects(loginAs(owner), (error: pg.DatabaseError) => error.code === '28000');
      assert.equal((await run()).changed, false);
    } finally {
      writeFileSync(appFile, appPassword + '\n');
      await run();
    }
    assert.ok(verifyScram((await storedPasswords())[appuser], appPassword));
  });

  it('hands a database migrated by a superuser before provisioning to the owner', async () => {
    await adminQuery(adminUrl, `CREATE DATABASE ${legacyDb}`);
    const legacyUrl = withDatabase(adminUrl, legacyDb);
    const client = new pg.Client({ connectionString: legacyUrl });
    await client.connect();
    await new Migrator(client, { dir: SCHEMA_DIR }).up(); // no role: everything owned by the admin
    await client.end();

    const report = await run({ ...plan, appDatabase: legacyDb, temporalDatabases: [] });
    const byStep = Object.fromEntries(report.steps.map((s) => [s.subject, s]));
    assert.equal(byStep[`database ${legacyDb}`].status, 'updated');
    assert.equal(byStep[`ownership in ${legacyDb}`].status, 'updated');
    const owners = await adminQuery(legacyUrl,
      `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace IN ('app'::regnamespace, 'sqlwright'::regnamespace)`);
    assert.deepEqual(owners.rows, [{ owner }]);
    const appClient = await loginAs(appuser, legacyDb);
    try {
      await appClient.query(`INSERT INTO app.users (first_name, last_name) VALUES ('Alan', 'Turing')`);
      await denied(appClient, `ALTER TABLE app.users DROP COLUMN email`);
    } finally {
      await appClient.end();
    }
    assert.deepEqual(await migrateAsOwner(legacyDb), [], 'the owner can go on migrating it');
    assert.equal((await run({ ...plan, appDatabase: legacyDb, temporalDatabases: [] })).changed, false);
  });

  it('fails before changing anything when a password file is unusable, naming the file', async () => {
    const bad = path.join(dir, 'bad_password');
    writeFileSync(bad, `${appPassword}\n${appPassword}\n`);
    await assert.rejects(run({ ...plan, appUser: { name: appuser, passwordFile: bad } }), SecretFileError);
    await assert.rejects(run({ ...plan, owner: 'Bad Name' }), ProvisionError);
    await assert.rejects(run({ ...plan, temporalOwner: `${tag}_missing` }), /Temporal owner role .* does not exist/);
    assert.equal((await run()).changed, false);
  });

  it('never lets a password or its hash into a log line or an error message', async () => {
    const stored = await storedPasswords();
    assert.ok(captured.length > 40, `captured ${captured.length} lines`);
    assert.ok(captured.some((line) => line.includes('permission denied')), 'errors were captured');
    for (const secret of [appPassword, backupPassword, stored[appuser]!, stored[backupuser]!]) {
      const leaks = captured.filter((line) => line.includes(secret));
      assert.deepEqual(leaks, []);
    }
  });
});
