import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { runCli } from '../support/run-cli.js';

/** The `sqlwright` binary's own argument handling (its commands are tested with migrate and init-db). */
describe('npx sqlwright', () => {
  it('--help prints the usage to stdout and exits 0', async () => {
    for (const flag of ['--help', '-h']) {
      const run = await runCli('sqlwright', [flag], tmpdir());
      assert.equal(run.code, 0, run.out);
      assert.match(run.stdout, /^usage: sqlwright <command>/);
      assert.equal(run.stderr, '');
    }
  });

  it('with no command or an unknown one, says so on stderr with the usage and exits 2', async () => {
    const bare = await runCli('sqlwright', [], tmpdir());
    assert.equal(bare.code, 2, bare.out);
    assert.equal(bare.stdout, '');
    assert.match(bare.stderr, /^sqlwright: name a command\nusage: sqlwright <command>/);
    const unknown = await runCli('sqlwright', ['migrat'], tmpdir());
    assert.equal(unknown.code, 2, unknown.out);
    assert.match(unknown.stderr, /^sqlwright: unknown command "migrat"\nusage:/);
  });
});
