import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, adminQuery, createTestDatabase, type TestDatabase } from '../support/database.js';
import { runExample, startExample } from '../support/run-example.js';

// Issue 8: every command the README names exists and works. Checked by running it, cheaply, or saying why not.
const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

/**
 * Every shell command the README shows: lines of its shell blocks and inline code that start with npm or npx,
 * after any `NAME=value` prefixes, which stay part of the command (`DATABASE_URL=postgresql://… npm run example`
 * is another check than `npm run example`).
 */
function readmeCommands(): string[] {
  const fences = /^```(\w*)\n([\s\S]*?)^```$/gm;
  const shellLines = [...readme.matchAll(fences)].filter((m) => ['', 'sh', 'bash'].includes(m[1])).flatMap((m) => m[2].split('\n'));
  const spans = [...readme.replace(fences, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  const commands = [...shellLines, ...spans]
    .flatMap((line) => line.replace(/\s#.*$/, '').split('&&'))
    .map((c) => c.trim().replace(/\s+/g, ' '))
    .filter((c) => /^([A-Z_]+=\S+ )*(npm|npx) /.test(c));
  return [...new Set(commands)].sort();
}

interface Run {
  code: number;
  out: string;
}

const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-readme-'));
/** npm runs scripts in the repository, where a developer may keep a config.yaml: every command gets an empty one. */
const emptyConfig = path.join(dir, 'empty-config.yaml');
writeFileSync(emptyConfig, '');

function sh(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const childEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', APP_ENV: 'test', CONFIG_FILE: emptyConfig, ...env };
  return new Promise((resolve) => {
    execFile(command, args, { cwd: REPO_ROOT, env: childEnv, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

const npm = (command: string, env?: Record<string, string>) => sh('npm', command.split(' ').slice(1), env);
/** `npx sqlwright …` without a build: the binary's source, as `dist/src/cli/sqlwright.js` runs it. */
const sqlwright = (args: string[], env?: Record<string, string>) => sh(process.execPath, ['--import', 'tsx', 'src/cli/sqlwright.ts', ...args], env);

function ok(result: Run, expected: RegExp): void {
  assert.equal(result.code, 0, result.out);
  assert.match(result.out, expected);
}

/** What `migrate up` prints for a scratch database: appowner (absent, or provisioned for appdb) is not its owner, so the login runs it. */
async function loginOf(url: string): Promise<string> {
  return (await adminQuery(url, 'SELECT current_user AS login')).rows[0].login;
}

function migratedAsLogin(out: string, login: string, firstFile: string): void {
  assert.match(out, new RegExp(`^role appowner (does not exist \\(server not provisioned\\)|has no CREATE on database \\S+ \\(not provisioned for it\\)): migrating as ${login}$`, 'm'));
  assert.match(out, new RegExp(`^applied ${firstFile} as ${login}$`, 'm'));
}

describe('every command the README names works', { concurrency: true }, () => {
  const sqlite = (name: string) => `sqlite:///${path.join(dir, `${name}.db`)}`;
  let npmDb: TestDatabase;
  let binDb: TestDatabase;
  let exampleDb: TestDatabase;

  before(async () => {
    [npmDb, binDb, exampleDb] = await Promise.all([createTestDatabase(), createTestDatabase(), createTestDatabase()]);
  });
  after(async () => {
    await Promise.all([npmDb?.drop(), binDb?.drop(), exampleDb?.drop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** How each command is checked: run it (cheaply: SQLite, a scratch database, a read-only mode), or why not here. */
  const checks: Record<string, string | (() => Promise<void>)> = {
    'npm ci': 'installs the dependencies every test already runs on',
    'npm test': 'the whole suite, this file included',
    'npm run typecheck': 'CI runs it as a step of its own (.ci/run)',
    'npm run bench': 'minutes of benchmarks, with nothing to assert',
    'npm run build': 'test/package/consumer.test.ts builds, packs and installs the package',
    'npm run codegen': 'rewrites generated/; its read-only form, --check, runs here',
    'npm run init-db -- --provision': 'creates cluster-wide roles: test/provision/init-db-cli.test.ts runs it on a server of its own',
    'npm run example': async () => ok(await npm('npm run example', { DATABASE_URL: sqlite('example') }), /^database: sqlite .*\n[\s\S]*^tasks by status: todo=2 done=1$/m),
    'DATABASE_URL=postgresql://user@host:5432/db npm run example': async () =>
      ok(await npm('npm run example', { DATABASE_URL: exampleDb.url }), /^database: postgres .*\n[\s\S]*^tasks by status: todo=2 done=1$/m),
    'npm run codegen -- --check': async () => ok(await npm('npm run codegen -- --check'), /^generated\/ is up to date/m),
    // With nothing configured at all it creates ./database.db, which here would be the repository's:
    // test/cli/init-db-sqlite.test.ts runs that case in a directory of its own.
    'npm run init-db': async () => ok(await npm('npm run init-db', { DATABASE_URL: sqlite('init-db') }), /^applied schema\.sql to sqlite:/m),
    'npm run migrate -- up': async () => {
      const env = { DATABASE_URL: npmDb.url };
      const up = await npm('npm run migrate -- up', env);
      ok(up, /^applied 0003_tasks\.sql as /m);
      migratedAsLogin(up.out, await loginOf(npmDb.url), '0003_tasks\\.sql');
      ok(await npm('npm run migrate -- status', env), /^applied {2}0003_tasks\.sql /m);
      ok(await npm('npm run migrate -- verify', env), /^verified: applied migrations match their files$/m);
    },
    'npx sqlwright migrate up': async () => {
      const up = await sqlwright(['migrate', 'up'], { DATABASE_URL: binDb.url });
      ok(up, /^applied 0001_app_schema\.sql as /m);
      migratedAsLogin(up.out, await loginOf(binDb.url), '0001_app_schema\\.sql');
    },
    'npx sqlwright init-db': async () => ok(await sqlwright(['init-db'], { DATABASE_URL: sqlite('bin') }), /^applied schema\.sql to sqlite:/m),
    'npx sqlwright codegen': async () => ok(await sqlwright(['codegen', '--check']), /^generated\/ is up to date/m),
    'npx tsx examples/health-server.ts': async () => {
      const { child, match } = await startExample('health-server', { DATABASE_URL: sqlite('health'), PORT: '0', CONFIG_FILE: emptyConfig }, /health server on http:\/\/127\.0\.0\.1:(\d+) /);
      try {
        assert.equal((await fetch(`http://127.0.0.1:${match[1]}/readyz`)).status, 200);
      } finally {
        child.kill('SIGTERM');
      }
    },
  };

  /** Commands of a shape rather than a name: a test folder, an example program. */
  function checkOf(command: string): string | (() => Promise<void>) | undefined {
    if (checks[command]) return checks[command];
    const folder = /^npm test -- (test\/[\w/-]+)$/.exec(command)?.[1];
    if (folder) {
      return async () => {
        // The runner's own collection, without running the tests.
        const collected = await sh(process.execPath, ['scripts/run-tests.mjs', folder, '--list']);
        const expected = readdirSync(path.join(REPO_ROOT, folder), { recursive: true }).filter((f) => String(f).endsWith('.test.ts')).length;
        assert.ok(expected > 0, `${folder} has no tests`);
        ok(collected, new RegExp(`^running ${expected} test files$`, 'm'));
      };
    }
    const example = /^npx tsx examples\/([\w-]+)\.ts$/.exec(command)?.[1];
    if (example) {
      return async () => {
        const result = await runExample(example, { DATABASE_URL: sqlite(example), CONFIG_FILE: emptyConfig });
        assert.equal(result.code, 0, result.stdout + result.stderr);
      };
    }
    return undefined;
  }

  const commands = readmeCommands();
  it('finds the commands (the extraction itself works)', () => {
    for (const expected of ['npm ci', 'npm run migrate -- up', 'npx sqlwright init-db', 'npx tsx examples/oidc-login.ts', 'npm run codegen -- --check', 'npm test -- test/pool']) {
      assert.ok(commands.includes(expected), `${expected} not among ${commands.join(', ')}`);
    }
  });

  it('checks no command the README no longer names (a stale check would hide a missing one)', () => {
    assert.deepEqual(Object.keys(checks).filter((command) => !commands.includes(command)), []);
  });

  for (const command of commands) {
    const check = checkOf(command);
    if (typeof check === 'string') {
      it(`${command} (not run here: ${check})`, () => assert.ok(!command.startsWith('npm run') || pkg.scripts[command.split(' ')[2]]));
    } else {
      it(command, async () => {
        assert.ok(check, `README names \`${command}\`: say in this test how to check it`);
        await check();
      });
    }
  }
});
