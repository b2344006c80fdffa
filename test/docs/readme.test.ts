import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/database.js';

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const docs = ['README.md', 'examples/add-a-table.md', 'docs/codegen.md', 'docs/pool.md', 'docs/security.md'];
const text = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');

describe('README and docs stay true', () => {
  it('every `npm run <script>` they name exists in package.json', () => {
    for (const file of docs) {
      for (const [, script] of text(file).matchAll(/npm run ([a-z][\w:-]*)/g)) {
        assert.ok(pkg.scripts[script], `${file} names npm run ${script}, which package.json does not have`);
      }
    }
    assert.ok(pkg.scripts.test, 'npm test');
    assert.ok(pkg.scripts.example.includes('examples/quickstart.ts'));
  });

  it('every file they run or link to exists', () => {
    for (const file of docs) {
      const dir = path.dirname(path.join(REPO_ROOT, file));
      for (const [, target] of text(file).matchAll(/npx tsx ([\w./-]+\.ts)/g)) {
        assert.ok(existsSync(path.join(REPO_ROOT, target)), `${file}: npx tsx ${target} does not exist`);
      }
      for (const [, target] of text(file).matchAll(/\]\(((?!https?:)[^)#]+)\)/g)) {
        assert.ok(existsSync(path.resolve(dir, target)), `${file}: link ${target} does not exist`);
      }
    }
  });

  it('the README names the two set-up commands and every config key the loader accepts', async () => {
    const readme = text('README.md');
    assert.match(readme, /npm ci && npm run example/);
    assert.match(readme, /^npm test\b/m);
    const { databaseFileSchema } = await import('../../src/config/schema.js');
    for (const key of Object.keys(databaseFileSchema.shape)) {
      assert.match(readme, new RegExp('`' + key + '[.`]'), `README's configuration reference misses ${key}`);
    }
  });

  it('every environment variable the config loader reads is documented', () => {
    const loader = text('src/config/load.ts');
    for (const [, name] of loader.matchAll(/env\.([A-Z_]+)/g)) {
      assert.match(text('README.md'), new RegExp(`\`${name}\``), `README misses ${name}`);
    }
  });
});
