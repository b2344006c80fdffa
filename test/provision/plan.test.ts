import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../support/database.js';
import { DEFAULT_PLAN, makePlan, planProblems } from '../../src/provision/plan.js';
import { parseInitDbArgs } from '../../src/cli/init-db.js';

describe('provisioning plan', () => {
  it('defaults to the design: appdb, temporal, temporal_visibility and appowner, appuser, backupuser', () => {
    const plan = makePlan();
    assert.deepEqual(plan, {
      appDatabase: 'appdb',
      temporalDatabases: ['temporal', 'temporal_visibility'],
      owner: 'appowner',
      appUser: { name: 'appuser' },
      backupUser: { name: 'backupuser' },
    });
    assert.deepEqual(planProblems(plan), []);
    plan.temporalDatabases.push('x');
    assert.deepEqual(DEFAULT_PLAN.temporalDatabases, ['temporal', 'temporal_visibility']);
  });

  it('takes overrides, merging role entries', () => {
    const plan = makePlan({ owner: 't1_owner', appUser: { passwordFile: '/run/secrets/a' }, backupUser: { name: 't1_backup', passwordFile: undefined } });
    assert.equal(plan.owner, 't1_owner');
    assert.deepEqual(plan.appUser, { name: 'appuser', passwordFile: '/run/secrets/a' });
    assert.deepEqual(plan.backupUser, { name: 't1_backup' });
  });

  it('rejects names that would need quoting, and roles or databases that coincide', () => {
    const problems = planProblems(makePlan({ owner: 'App Owner', appUser: { name: 'backupuser' }, temporalDatabases: ['appdb'] }));
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0], /"App Owner" is not a lower-case identifier/);
    assert.match(problems[1], /roles must differ/);
    assert.match(problems[2], /database names must differ/);
  });
});

describe('init-db arguments', () => {
  // Never the developer's ./config.yaml: an empty one of the test's own.
  const emptyDir = mkdtempSync(path.join(tmpdir(), 'sqlwright-init-db-empty-'));
  const noConfig = { CONFIG_FILE: path.join(emptyDir, 'config.yaml') };
  writeFileSync(noConfig.CONFIG_FILE, '');
  after(() => rmSync(emptyDir, { recursive: true, force: true }));

  it('build the plan from flags and the password files from the environment', () => {
    const options = parseInitDbArgs(
      ['--provision', '--owner', 'o', '--app-user', 'u', '--backup-user', 'b', '--databases', 'main, t1 ,t2', '--admin-url', 'postgresql://a@h/postgres'],
      { ...noConfig, APPUSER_PASSWORD_FILE: '/s/app', BACKUPUSER_PASSWORD_FILE: '/s/backup', DATABASE_URL: 'postgresql://x@h/main' },
    );
    assert.ok(!('message' in options));
    assert.equal(options.provision, true);
    assert.equal(options.adminUrl, 'postgresql://a@h/postgres');
    assert.equal(options.target.url, 'postgresql://x@h/main');
    assert.equal(options.schemaDir, path.join(REPO_ROOT, 'sql/schema'), 'sqlwright\'s own migrations, wherever it runs');
    assert.deepEqual(options.owner, { name: 'o', explicit: true });
    assert.deepEqual(options.plan, {
      appDatabase: 'main',
      temporalDatabases: ['t1', 't2'],
      owner: 'o',
      appUser: { name: 'u', passwordFile: '/s/app' },
      backupUser: { name: 'b', passwordFile: '/s/backup' },
    });
  });

  it('default to the design, to DATABASE_ADMIN_URL, and to the database the application would open', () => {
    const options = parseInitDbArgs([], { ...noConfig, DATABASE_ADMIN_URL: 'postgresql://admin@h/postgres' });
    assert.ok(!('message' in options));
    assert.equal(options.provision, false);
    assert.equal(options.adminUrl, 'postgresql://admin@h/postgres');
    assert.equal(options.target.url, 'sqlite:///./database.db', 'the development default, as loadConfig gives it');
    assert.equal(options.targetIsDefault, true);
    assert.deepEqual(options.plan, makePlan());
    assert.deepEqual(options.owner, { name: 'appowner', explicit: false });
  });

  it('refuse positional arguments without echoing them, and unknown options such as --password', () => {
    const stray = parseInitDbArgs(['hunter2'], noConfig);
    assert.ok('message' in stray && stray.exitCode === 2);
    assert.ok(!stray.message.includes('hunter2'));
    const password = parseInitDbArgs(['--password=hunter2'], noConfig);
    assert.ok('message' in password && password.exitCode === 2);
    assert.ok(!password.message.includes('hunter2'));
    const bad = parseInitDbArgs(['--owner', 'Robert"; DROP'], noConfig);
    assert.ok('message' in bad && bad.exitCode === 2 && /not a lower-case identifier/.test(bad.message));
  });

  describe('from config.yaml', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-init-db-args-'));
    const configFile = path.join(dir, 'config.yaml');
    writeFileSync(configFile, [
      'database: { url: "postgresql://appuser@db.internal:5432/shopdb" }',
      'databases:',
      '  temporal: { url: "postgresql://temporal@db.internal:5432/shop_temporal" }',
      '  temporal_visibility: { url: "postgresql://temporal@db.internal:5432/shop_visibility" }',
      '',
    ].join('\n'));
    const env = { CONFIG_FILE: configFile, DATABASE_ADMIN_URL: 'postgresql://admin@h/postgres' };

    it('names the databases and the target after the configured URLs', () => {
      const options = parseInitDbArgs(['--provision'], env);
      assert.ok(!('message' in options), JSON.stringify(options));
      assert.equal(options.plan.appDatabase, 'shopdb');
      assert.deepEqual(options.plan.temporalDatabases, ['shop_temporal', 'shop_visibility']);
      assert.equal(options.target.url, 'postgresql://appuser@db.internal:5432/shopdb');
      assert.equal(options.target.name, 'app', 'connects with the configured database (its password file, TLS)');
    });

    it('lets flags and DATABASE_URL win over the file, and DATABASE_OWNER_ROLE name the owner', () => {
      const options = parseInitDbArgs(['--databases', 'other,t'], { ...env, DATABASE_URL: 'postgresql://x@h/envdb', DATABASE_OWNER_ROLE: 'shopowner' });
      assert.ok(!('message' in options));
      assert.deepEqual([options.plan.appDatabase, ...options.plan.temporalDatabases], ['other', 't']);
      assert.equal(options.target.url, 'postgresql://x@h/envdb');
      assert.deepEqual(options.owner, { name: 'shopowner', explicit: true });
      assert.equal(options.plan.owner, 'shopowner');
      const url = parseInitDbArgs(['--url', 'postgresql://y@h/flagdb', '--role', 'shopowner'], env);
      assert.ok(!('message' in url));
      assert.equal(url.target.url, 'postgresql://y@h/flagdb');
      assert.deepEqual(url.owner, { name: 'shopowner', explicit: true }, '--role, as migrate has it');
      const both = parseInitDbArgs(['--role', 'a', '--owner', 'b'], env);
      assert.ok('message' in both && both.exitCode === 2, 'two different owners');
    });

    it('fails on an invalid config file with the key and exit 1 (not a usage mistake), as the application would', () => {
      const bad = path.join(dir, 'bad.yaml');
      writeFileSync(bad, 'database: { pool_size: 0 }\n');
      const options = parseInitDbArgs([], { CONFIG_FILE: bad });
      assert.ok('message' in options && options.exitCode === 1);
      assert.match(options.message, /database\.pool_size/);
      const missing = parseInitDbArgs(['--url', 'postgresql://y@h/flagdb'], { CONFIG_FILE: path.join(dir, 'nope.yaml') });
      assert.ok('message' in missing && missing.exitCode === 1, '--url replaces the URL, not the configuration');
    });

    it('--provision in production needs no database.url: the names fall back to the design', () => {
      const options = parseInitDbArgs(['--provision', '--admin-url', 'postgresql://admin@h/postgres'], { ...noConfig, APP_ENV: 'production' });
      assert.ok(!('message' in options), JSON.stringify(options));
      assert.deepEqual(options.plan, makePlan());
      const migrate = parseInitDbArgs([], { ...noConfig, APP_ENV: 'production' });
      assert.ok('message' in migrate && migrate.exitCode === 1 && /database\.url: required/.test(migrate.message), 'creating the tables does need it');
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
  });
});
