// Node 20's test runner finds no .ts files and expands no globs, so collect test files ourselves.
// `npm test` runs them all; `npm test -- test/pool` runs those under a path.
import { readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

function collect(target) {
  if (statSync(target).isFile()) return target.endsWith('.test.ts') ? [target] : [];
  return readdirSync(target, { recursive: true })
    .map((f) => path.join(target, f))
    .filter((f) => f.endsWith('.test.ts') && !f.includes('node_modules'))
    .sort();
}

const targets = process.argv.slice(2).filter((a) => !a.startsWith('-'));
// --list prints the files it would run and stops; other flags go to node's test runner.
const list = process.argv.includes('--list');
const flags = process.argv.slice(2).filter((a) => a.startsWith('-') && a !== '--list');
const files = (targets.length ? targets : ['test']).flatMap(collect);
if (files.length === 0) {
  console.error(`no test files found under ${targets.join(' ') || 'test'}`);
  process.exit(1);
}
console.log(`running ${files.length} test files`);
if (list) {
  console.log(files.join('\n'));
  process.exit(0);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...flags, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
