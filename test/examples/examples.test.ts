import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runExample } from '../support/run-example.js';

/** Every example, on the embedded default (SQLite) and on PostgreSQL, as a child process. */
for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`examples on ${dialect}`, () => {
    let url: string;
    let pg: TestDatabase | undefined;
    const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-examples-'));
    // Examples run in the repository, where a developer may keep a config.yaml: they get an empty one.
    const emptyConfig = path.join(dir, 'config.yaml');
    writeFileSync(emptyConfig, '');

    before(async () => {
      if (dialect === 'postgres') {
        pg = await createTestDatabase(); // empty: the examples create the tables themselves
        url = pg.url;
      } else {
        url = `sqlite:///${path.join(dir, 'example.db')}`;
      }
    });
    after(async () => {
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    const run = async (name: string) => {
      const result = await runExample(name, { DATABASE_URL: url, CONFIG_FILE: emptyConfig });
      assert.equal(result.code, 0, `${name} exited with ${result.code}\n${result.stdout}\n${result.stderr}`);
      assert.match(result.stdout, new RegExp(`^database: ${dialect} `, 'm'));
      // Failures the examples cause on purpose are logged as one readable line, not JSON.
      assert.doesNotMatch(result.stderr, /^\{"level"/m, result.stderr);
      return result;
    };

    it('quickstart creates a user, links an identity, creates and lists tasks', async () => {
      for (let i = 0; i < 2; i++) {
        // twice: the second run finds the tables there and still works
        const { stdout: out } = await run('quickstart');
        assert.match(out, /^created user Ada Lovelace <ada\+\w+@example\.com> \([0-9a-f-]{36}\)$/m);
        assert.match(out, /^linked identity google\/google-\w+ -> user ok$/m);
        assert.match(out, /^created 3 tasks$/m);
        assert.match(out, /open tasks, by due date:\n {2}- \[todo\] Write the first migration \(priority 3, due \d{4}-\d\d-\d\d, labels schema\)\n {2}- \[todo\] Run npm run codegen \(priority 2\)\n/);
        assert.match(out, /^tasks by status: todo=2 done=1$/m);
      }
    });

    it('oidc-login finds or creates the user, and a race of two logins creates one', async () => {
      const { stdout: out, stderr } = await run('oidc-login');
      assert.match(stderr, /^ {2}\(log error: Database transaction failed, ConflictError: /m, 'the losing login of the race');
      const first = out.match(/^first login: created user Grace Hopper \(([0-9a-f-]{36})\)$/m);
      assert.ok(first, out);
      assert.match(out, new RegExp(`^second login: found user ${first[1]} \\(same user: true\\)$`, 'm'));
      assert.match(out, /^race of two logins: 1 created, 1 distinct user, 1 identity$/m);
    });

    it('transactions shows commit, rollback, savepoints and serialization retry', async () => {
      const { stdout: out, stderr } = await run('transactions');
      assert.match(stderr, /^ {2}\(log error: Database transaction failed, Error: something failed after the write\)$/m);
      assert.match(out, /^commit: 1 task$/m);
      assert.match(out, /^rollback: "something failed after the write" -> still 1 task$/m);
      assert.match(out, /^savepoint: the inner step rolled back, the outer transaction goes on$/m);
      assert.match(out, /^after savepoint: 2 tasks$/m);
      if (dialect === 'postgres') {
        assert.match(out, /^serializable: 2 transactions committed in [3-9] attempts \(a serialization failure was retried\)$/m);
        assert.match(out, /^without retry: SerializationError \(HTTP 409: retry the request\)$/m);
        assert.match(out, /^final: 5 tasks$/m);
      } else {
        assert.match(out, /^serializable: 2 transactions committed in 2 attempts \(no conflict\)$/m);
        assert.match(out, /^without retry: both committed$/m);
        assert.match(out, /^final: 6 tasks$/m);
      }
    });
  });
}
