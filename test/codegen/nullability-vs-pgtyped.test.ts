import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IQueryTypes } from '@pgtyped/query';
import type { TypeSource } from '../../codegen/typed/type-source.js';
import { typeCase } from './nullability/harness.js';

/**
 * Side by side, for the same queries: pgtyped's column-level typing (nullable unless the result column is
 * a NOT NULL table column, which is what its CLI emits) and ours. The differences are exactly the point of
 * the rules: LEFT JOIN columns become nullable, count(*) and friends become non-null.
 */
const CASES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'nullability', 'cases');

async function sideBySide(caseName: string): Promise<Map<string, string>> {
  const pgtyped = new Map<string, IQueryTypes>();
  const record = (inner: TypeSource): TypeSource => async (query) => {
    const result = await inner(query);
    if (!('errorCode' in result)) pgtyped.set(query.query, result);
    return result;
  };
  const typed = await typeCase(path.join(CASES, caseName), record);
  try {
    const rows = new Map<string, string>();
    for (const q of typed.queries) {
      const theirs = pgtyped.get(q.text)!;
      q.columns.forEach((c, i) => {
        const theirsNullable = theirs.returnTypes[i].nullable !== false;
        if (theirsNullable !== c.nullable) rows.set(`${q.name}.${c.name}`, `pgtyped ${theirsNullable ? 'nullable' : 'non-null'}, ours ${c.nullable ? 'nullable' : 'non-null'}`);
      });
    }
    return rows;
  } finally {
    await typed.db.drop();
  }
}

describe('nullability: ours vs pgtyped column-level typing', () => {
  it('LEFT/RIGHT/FULL JOIN columns: pgtyped says non-null, we say nullable', async () => {
    assert.deepEqual(Object.fromEntries(await sideBySide('left-join')), {
      'LeftJoin.book_id': 'pgtyped non-null, ours nullable',
      'LeftJoin.title': 'pgtyped non-null, ours nullable',
      'RightJoin.name': 'pgtyped non-null, ours nullable',
      'FullJoin.name': 'pgtyped non-null, ours nullable',
      'FullJoin.title': 'pgtyped non-null, ours nullable',
      'SelfJoin.other_title': 'pgtyped non-null, ours nullable',
      'LeftJoinStar.title': 'pgtyped non-null, ours nullable',
    });
  });

  it('aggregates and window functions: count(*), count(x), row_number() become non-null; ROLLUP keys become nullable', async () => {
    assert.deepEqual(Object.fromEntries(await sideBySide('aggregates')), {
      'CountsAndSums.all_rows': 'pgtyped nullable, ours non-null',
      'CountsAndSums.subtitles': 'pgtyped nullable, ours non-null',
      'GroupedLeftJoin.books': 'pgtyped nullable, ours non-null',
      'Rollup.title': 'pgtyped non-null, ours nullable',
      'Rollup.n': 'pgtyped nullable, ours non-null',
      'WindowFunctions.position': 'pgtyped nullable, ours non-null',
    });
  });

  it('WHERE narrowing and expressions: non-null where PostgreSQL guarantees it', async () => {
    const where = await sideBySide('where-not-null');
    assert.equal(where.get('WhereNullableColumn.bio'), 'pgtyped nullable, ours non-null');
    assert.equal(where.get('WhereEqualsParam.subtitle'), 'pgtyped nullable, ours non-null');
    assert.equal(where.get('WhereOrDecidesNothing.title'), 'pgtyped non-null, ours nullable');
    const expressions = await sideBySide('expressions');
    for (const column of ['Literals.one', 'Literals.at', 'Coalesce.subtitle', 'CaseExpressions.length', 'ExistsAndTests.has_books']) {
      assert.equal(expressions.get(column), 'pgtyped nullable, ours non-null', column);
    }
  });
});
