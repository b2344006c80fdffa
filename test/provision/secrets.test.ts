import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPasswordFile, SecretFileError } from '../../src/provision/secrets.js';

describe('password files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-secrets-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, content);
    return p;
  };

  it('drop exactly one trailing newline', async () => {
    assert.equal(await readPasswordFile('X', file('lf', 'pw-one\n')), 'pw-one');
    assert.equal(await readPasswordFile('X', file('crlf', 'pw-two\r\n')), 'pw-two');
    assert.equal(await readPasswordFile('X', file('none', 'pw three')), 'pw three');
    await assert.rejects(readPasswordFile('X', file('two', 'pw-four\n\n')), SecretFileError);
  });

  it('name the file and the problem but never the content', async () => {
    const cases: [string, string, RegExp][] = [
      ['empty', '\n', /is empty/],
      ['multiline', 'hunter-line-1\nhunter-line-2', /printable ASCII/],
      ['unicode', 'hünter-unicode', /printable ASCII/],
      ['control', 'hunter\tcontrol', /printable ASCII/],
    ];
    for (const [name, content, problem] of cases) {
      const p = file(name, content);
      await assert.rejects(readPasswordFile('APPUSER_PASSWORD_FILE', p), (error: Error) => {
        assert.ok(error instanceof SecretFileError);
        assert.match(error.message, problem);
        assert.ok(error.message.startsWith(`APPUSER_PASSWORD_FILE (${p}):`), error.message);
        assert.ok(!/h.nter/.test(error.message), error.message);
        return true;
      });
    }
    await assert.rejects(readPasswordFile('APPUSER_PASSWORD_FILE', path.join(dir, 'missing')), /missing\): cannot be read \(ENOENT\)/);
  });
});
