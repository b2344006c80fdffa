import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
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
    assert.equal(options.url, 'postgresql://x@h/main');
    assert.equal(options.dir, path.resolve('sql/schema'));
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
    assert.equal(options.url, undefined);
    assert.deepEqual(options.plan, makePlan());
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
});
