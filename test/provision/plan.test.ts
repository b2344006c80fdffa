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
  it('build the plan from flags and the password files from the environment', () => {
    const options = parseInitDbArgs(
      ['--provision', '--owner', 'o', '--app-user', 'u', '--backup-user', 'b', '--databases', 'main, t1 ,t2', '--admin-url', 'postgresql://a@h/postgres'],
      { APPUSER_PASSWORD_FILE: '/s/app', BACKUPUSER_PASSWORD_FILE: '/s/backup', DATABASE_URL: 'postgresql://x@h/main' },
    );
    assert.ok(!('usage' in options));
    assert.equal(options.provision, true);
    assert.equal(options.adminUrl, 'postgresql://a@h/postgres');
    assert.equal(options.target?.url, 'postgresql://x@h/main');
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

  it('default to the design and to DATABASE_ADMIN_URL', () => {
    const options = parseInitDbArgs([], { DATABASE_ADMIN_URL: 'postgresql://admin@h/postgres' });
    assert.ok(!('usage' in options));
    assert.equal(options.provision, false);
    assert.equal(options.adminUrl, 'postgresql://admin@h/postgres');
    assert.equal(options.target, undefined);
    assert.deepEqual(options.plan, makePlan());
    assert.deepEqual(options.owner, { name: 'appowner', explicit: false });
  });

  it('refuse positional arguments without echoing them, and unknown options such as --password', () => {
    const stray = parseInitDbArgs(['hunter2'], {});
    assert.ok('usage' in stray && stray.exitCode === 2);
    assert.ok(!stray.usage.includes('hunter2'));
    const password = parseInitDbArgs(['--password=hunter2'], {});
    assert.ok('usage' in password && password.exitCode === 2);
    assert.ok(!password.usage.includes('hunter2'));
    const bad = parseInitDbArgs(['--owner', 'Robert"; DROP'], {});
    assert.ok('usage' in bad && bad.exitCode === 2 && /not a lower-case identifier/.test(bad.usage));
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
      assert.ok(!('usage' in options), JSON.stringify(options));
      assert.equal(options.plan.appDatabase, 'shopdb');
      assert.deepEqual(options.plan.temporalDatabases, ['shop_temporal', 'shop_visibility']);
      assert.equal(options.target?.url, 'postgresql://appuser@db.internal:5432/shopdb');
      assert.equal(options.target?.config?.name, 'app', 'connects with the configured database (its password file, TLS)');
    });

    it('lets flags and DATABASE_URL win over the file, and DATABASE_OWNER_ROLE name the owner', () => {
      const options = parseInitDbArgs(['--databases', 'other,t'], { ...env, DATABASE_URL: 'postgresql://x@h/envdb', DATABASE_OWNER_ROLE: 'shopowner' });
      assert.ok(!('usage' in options));
      assert.deepEqual([options.plan.appDatabase, ...options.plan.temporalDatabases], ['other', 't']);
      assert.equal(options.target?.url, 'postgresql://x@h/envdb');
      assert.deepEqual(options.owner, { name: 'shopowner', explicit: true });
      assert.equal(options.plan.owner, 'shopowner');
      const url = parseInitDbArgs(['--url', 'postgresql://y@h/flagdb'], env);
      assert.ok(!('usage' in url));
      assert.deepEqual(url.target, { url: 'postgresql://y@h/flagdb' });
    });

    it('fails on an invalid config file with the key, as the application would', () => {
      const bad = path.join(dir, 'bad.yaml');
      writeFileSync(bad, 'database: { pool_size: 0 }\n');
      const options = parseInitDbArgs([], { CONFIG_FILE: bad });
      assert.ok('usage' in options && options.exitCode === 2);
      assert.match(options.usage, /database\.pool_size/);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
  });
});
