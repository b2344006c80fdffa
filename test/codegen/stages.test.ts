import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseSQLFile, queryASTToIR } from '@pgtyped/parser';
import { processSQLQueryIR } from '@pgtyped/runtime';
import type { Catalog } from '../../codegen/catalog/types.js';
import { parseArgs } from '../../codegen/config.js';
import { camelCase, kebabCase, singular } from '../../codegen/emit/names.js';
import { describeQueries, statementOffset } from '../../codegen/typed/describe.js';
import type { TypeSource } from '../../codegen/typed/type-source.js';
import { compare, write } from '../../codegen/write.js';

const catalog: Catalog = { schemas: ['app'], tables: [], enums: [{ schema: 'app', name: 'task_status', values: ['todo', 'doing', 'done'] }] };

/** A TypeSource that answers from a table instead of a database (pgtyped's own generator tests do the same). */
function fakeSource(answers: Record<string, Awaited<ReturnType<TypeSource>>>): TypeSource {
  return async (query) => answers[query.query] ?? { errorCode: 'x', message: `unexpected query ${query.query}` };
}

describe('typed queries (stage 3) with a fake type source', () => {
  it('maps a database error position in the $n statement back to file:line:col', () => {
    const text = '/* @name Q */\nSELECT :first!, :second FROM t\nWHERE nickname = :first!;';
    const ast = parseSQLFile(text).queries[0];
    const ir = queryASTToIR(ast);
    const interpolated = processSQLQueryIR(ir);
    assert.equal(interpolated.query, 'SELECT $1, $2 FROM t\nWHERE nickname = $1');
    const index = (name: string) => (name === 'first' ? 1 : 2);
    const position = interpolated.query.indexOf('nickname') + 1;
    assert.equal(ast.statement.loc.a + statementOffset(ir, index, position), text.indexOf('nickname'));
    assert.equal(ast.statement.loc.a + statementOffset(ir, index, interpolated.query.indexOf('$2') + 1), text.indexOf(':second'));
  });

  it('honours "col!" / "col?", :param! and resolves enums; keeps the raw row key', async () => {
    const file = { path: 'q/tasks.sql', text: '/* @name Counts */\nSELECT status, count(*) AS "total!", max(x) AS "top?" FROM t WHERE a = :a! AND b = :b;' };
    const { queries, problems } = await describeQueries([file], catalog, fakeSource({
      'SELECT status, count(*) AS "total!", max(x) AS "top?" FROM t WHERE a = $1 AND b = $2': {
        paramMetadata: { params: ['uuid', '_text'], mapping: [] },
        returnTypes: [
          { returnName: 'status', columnName: 'status', type: { name: 'task_status', enumValues: ['done', 'doing', 'todo'] }, nullable: false },
          { returnName: 'total!', columnName: 'count', type: 'int8' },
          { returnName: 'top?', columnName: 'max', type: 'int4', nullable: false },
        ],
      },
    }));
    assert.deepEqual(problems, []);
    assert.deepEqual(queries[0].params, [
      { name: 'a', index: 1, required: true, type: { kind: 'base', name: 'uuid', array: false } },
      { name: 'b', index: 2, required: false, type: { kind: 'base', name: 'text', array: true } },
    ]);
    assert.deepEqual(queries[0].columns, [
      // `t` is in no catalog and the fake source reports no origin table: undecidable, so nullable (sound by default)
      { key: 'status', name: 'status', nullable: true, type: { kind: 'enum', schema: 'app', name: 'task_status', array: false } },
      { key: 'total!', name: 'total', nullable: false, type: { kind: 'base', name: 'int8', array: false } },
      { key: 'top?', name: 'top', nullable: true, type: { kind: 'base', name: 'int4', array: false } },
    ]);
  });

  it('collects every problem: parse errors, invalid queries, unnamed and duplicate columns, expansions', async () => {
    const files = [
      { path: 'q/a.sql', text: '/* @nam Typo */\nSELECT 1;' },
      { path: 'q/b.sql', text: '/* @name Dup */\nSELECT a, a FROM t;\n\n/* @name Bad */\nSELECT nope FROM t;\n\n/* @name Spread\n  @param ids -> (...)\n*/\nSELECT * FROM t WHERE id IN :ids;' },
    ];
    const { queries, problems } = await describeQueries(files, catalog, fakeSource({
      'SELECT a, a FROM t': { paramMetadata: { params: [], mapping: [] }, returnTypes: [{ returnName: 'a', columnName: 'a', type: 'text' }, { returnName: 'a', columnName: 'a', type: 'text' }] },
      'SELECT nope FROM t': { errorCode: 'errorMissingColumn', message: 'column "nope" does not exist', position: '8' },
    }));
    assert.deepEqual(queries, []);
    assert.deepEqual(problems.map((p) => p.where), ['q/a.sql:2:1', 'q/b.sql:2:1', 'q/b.sql:5:8', 'q/b.sql:10:29']);
    assert.match(problems[0].message, /parse error/);
    assert.match(problems[1].message, /query Dup: result column "a" appears twice/);
    assert.match(problems[2].message, /query Bad is invalid: column "nope" does not exist/);
    assert.match(problems[3].message, /query Spread: parameter :ids uses an expansion/);
  });
});

describe('naming rules', () => {
  it('singular entity names, camelCase fields, kebab file names', () => {
    assert.deepEqual(['users', 'user_identities', 'tasks', 'statuses', 'addresses', 'data'].map(singular), ['user', 'user_identity', 'task', 'status', 'address', 'data']);
    assert.equal(camelCase('FindUserByEmail'), 'findUserByEmail');
    assert.equal(camelCase('created_at'), 'createdAt');
    assert.equal(kebabCase('user_identity'), 'user-identity');
  });
});

describe('config and flags (stage 5)', () => {
  it('reads sqlwright.config.json relative to itself; flags win', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-config-'));
    try {
      writeFileSync(path.join(dir, 'sqlwright.config.json'), JSON.stringify({ schemaDir: 'db/schema', outDir: 'gen', schemas: ['app'] }));
      const options = parseArgs(['codegen', '--check', '--queries', 'other/q'], dir);
      assert.equal(options.check, true);
      assert.equal(options.config.schemaDir, path.join(dir, 'db/schema'));
      assert.equal(options.config.queriesDir, path.join(dir, 'other/q'));
      assert.equal(options.config.outDir, path.join(dir, 'gen'));
      assert.deepEqual(options.config.schemas, ['app']);
      writeFileSync(path.join(dir, 'sqlwright.config.json'), JSON.stringify({ schemaDir: 1 }));
      assert.throws(() => parseArgs([], dir), /schemaDir/);
      assert.throws(() => parseArgs(['--frobnicate'], dir), /unknown argument --frobnicate/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('write and --check comparison (stage 6)', () => {
  it('reports added, changed and stale generated files; never touches hand-written ones', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-write-'));
    try {
      const header = '// generated by sqlwright from x, do not edit\n';
      const files = new Map([['a.ts', `${header}a`], ['sub/b.ts', `${header}b`]]);
      assert.deepEqual(write(dir, files).map((d) => d.change), ['added', 'added']);
      assert.deepEqual(compare(dir, files), []);
      writeFileSync(path.join(dir, 'a.ts'), `${header}edited`);
      writeFileSync(path.join(dir, 'old.ts'), `${header}old`);
      writeFileSync(path.join(dir, 'README.md'), 'hand-written');
      assert.deepEqual(compare(dir, files), [{ file: 'a.ts', change: 'changed' }, { file: 'old.ts', change: 'stale' }]);
      write(dir, files);
      assert.deepEqual(compare(dir, files), []);
      assert.equal(readFileSync(path.join(dir, 'README.md'), 'utf8'), 'hand-written');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
