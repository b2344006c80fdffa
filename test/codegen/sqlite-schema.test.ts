import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqliteDialect, type SqliteDialect } from '../../src/dialect/sqlite/index.js';
import type { DialectConnection } from '../../src/dialect/dialect.js';
import { CheckViolationError, ConflictError, ForeignKeyError } from '../../src/errors.js';
import { checkSqlitePortability } from '../../codegen/typed/sqlite-portability.js';
import { translateDefault, translateExpression } from '../../codegen/emit/sqlite-sql.js';
import type { Column } from '../../codegen/catalog/types.js';

/**
 * The emitted SQLite schemas (the goldens of cases/all-types and cases/sqlite-portability, and generated/) loaded
 * into a real SQLite through the dialect: they load twice (IF NOT EXISTS), and the constraints PostgreSQL
 * enforces hold here too.
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));
const golden = (name: string) => readFileSync(path.join(HERE, 'cases', name, 'expected/sqlite/schema.sql.golden'), 'utf8');

async function loaded(schema: string | string[], script: string): Promise<{ dialect: SqliteDialect; run: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>; close: () => Promise<void> }> {
  const dialect = createSqliteDialect({ url: 'sqlite::memory:', schemas: typeof schema === 'string' ? [schema] : schema });
  await dialect.exec(script);
  await dialect.exec(script); // ensureSchema runs it at every start
  const run = async (sql: string, params: unknown[] = []) => {
    const connection: DialectConnection = await dialect.acquire();
    try {
      return (await connection.query(sql, params)).rows;
    } finally {
      connection.release();
    }
  };
  return { dialect, run, close: () => dialect.close() };
}

describe('the emitted SQLite schema of cases/all-types', () => {
  let db: Awaited<ReturnType<typeof loaded>>;
  before(async () => (db = await loaded('shop', golden('all-types'))));
  after(() => db.close());

  const sample = (code: string, extra = '', values = '') =>
    db.run(`INSERT INTO shop.samples (code, big, seen_at${extra}) VALUES ($1, '1', now()${values}) RETURNING *`, [code]);

  it('fills the defaults in storage form: uuid, 0/1, JSON, enum label, timestamp', async () => {
    const [row] = await sample('d1');
    assert.match(String(row.id), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(
      { tiny: row.tiny, price: row.price, flag: row.flag, payload: row.payload, mood: row.mood, moods: row.moods, tags: row.tags },
      { tiny: 0, price: '0', flag: 0, payload: '{}', mood: 'ok', moods: '[]', tags: '[]' },
    );
    assert.match(String(row.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('enum, boolean, varchar, JSON and array CHECKs reject what PostgreSQL rejects, naming the constraint', async () => {
    const cases: [string, string, string][] = [
      [', mood', ", 'angry'", 'samples_mood_check'],
      [', flag', ', 2', 'samples_flag_check'],
      [', payload', ", '{oops'", 'samples_payload_check'],
      [', tags', ", '{}'", 'samples_tags_check'],
    ];
    for (const [column, value, constraint] of cases) {
      await assert.rejects(sample(constraint.slice(8, 20), column, value), (error: unknown) => error instanceof CheckViolationError && error.constraint === constraint, constraint);
    }
    await assert.rejects(sample('x'.repeat(21)), (error: unknown) => error instanceof CheckViolationError && error.constraint === 'samples_code_check');
    await assert.rejects(db.run(`INSERT INTO shop.samples (code, big, seen_at, tiny) VALUES ('t1', '1', now(), 'many')`), CheckViolationError, 'STRICT refuses text in an INTEGER column');
  });

  it('unique constraints, foreign keys, the rowid identity key and the generated column', async () => {
    const [s] = await sample('u1');
    await assert.rejects(sample('u1'), (error: unknown) => error instanceof ConflictError && error.columns.join() === 'code');
    const [line] = await db.run(`INSERT INTO shop.order_lines (sample_id, line_no, quantity, unit_price) VALUES ($1, 1, 3, '2.50') RETURNING *`, [s.id]);
    assert.equal(line.id, 1, 'an identity key is the rowid: numbered by SQLite');
    assert.equal(Number(line.total), 7.5);
    await assert.rejects(db.run(`INSERT INTO shop.order_lines (sample_id, line_no, quantity, unit_price) VALUES ($1, 1, 1, '1')`, [s.id]), ConflictError);
    await assert.rejects(db.run(`INSERT INTO shop.order_lines (sample_id, line_no, quantity, unit_price) VALUES ($1, 2, 1, '1')`, ['00000000-0000-0000-0000-000000000000']), ForeignKeyError);
    await assert.rejects(db.run(`DELETE FROM shop.samples WHERE id = $1`, [s.id]), ForeignKeyError, 'NO ACTION: a referenced row cannot go');
  });
});

describe('the emitted SQLite schema of cases/sqlite-portability', () => {
  let db: Awaited<ReturnType<typeof loaded>>;
  before(async () => (db = await loaded(['lab', 'public'], golden('sqlite-portability'))));
  after(() => db.close());

  it('ON DELETE CASCADE and SET NULL, table CHECKs, the partial and unique indexes, the touch trigger', async () => {
    const [a] = await db.run(`INSERT INTO lab.teams (slug) VALUES ('a') RETURNING id, active`);
    const [b] = await db.run(`INSERT INTO lab.teams (slug) VALUES ('b') RETURNING id`);
    assert.equal(a.active, 1);
    await assert.rejects(db.run(`INSERT INTO lab.teams (slug) VALUES ('Upper')`), (e: unknown) => e instanceof CheckViolationError && e.constraint === 'teams_slug_lower');
    const [run] = await db.run(`INSERT INTO lab.runs (team_id, lead_id, title) VALUES ($1, $2, 'First') RETURNING *`, [a.id, b.id]);
    assert.deepEqual([run.id, run.phase, run.tags, run.counts, run.budget, run.started_on], [1, 'planned', '["alpha","b c"]', '[1,2]', '0', '2024-01-01']);
    await assert.rejects(db.run(`INSERT INTO lab.runs (team_id, title) VALUES ($1, 'First')`, [a.id]), ConflictError, 'the unique index');
    await assert.rejects(db.run(`INSERT INTO lab.runs (team_id, title, phase) VALUES ($1, 'Second', 'paused')`, [a.id]), CheckViolationError);
    const plan = await db.run(`EXPLAIN QUERY PLAN SELECT id FROM lab.runs WHERE team_id = $1 AND phase <> 'finished'`, [a.id]);
    assert.ok(plan.some((step) => /runs_(open|team_phase)_idx|runs_team_title_key/.test(String(step.detail))), JSON.stringify(plan));

    await db.run(`UPDATE lab.runs SET updated_at = '2000-01-01T00:00:00.000Z' WHERE id = 1`);
    const [touched] = await db.run(`SELECT updated_at FROM lab.runs WHERE id = 1`);
    assert.notEqual(touched.updated_at, '2000-01-01T00:00:00.000Z', 'the trigger stamps every update, as PostgreSQL does');

    await db.run(`DELETE FROM lab.teams WHERE id = $1`, [b.id]);
    assert.deepEqual(await db.run(`SELECT lead_id FROM lab.runs`), [{ lead_id: null }], 'SET NULL');
    await db.run(`DELETE FROM lab.teams WHERE id = $1`, [a.id]);
    assert.deepEqual(await db.run(`SELECT count(*) AS n FROM lab.runs`), [{ n: 0 }], 'CASCADE');
  });

  it('numeric(p,s) past 15 digits: the precision CHECK is exact on the text at the bound, as PostgreSQL (22003)', async () => {
    // numeric(18,2): at most 16 digits before the point once rounded to 2 digits.
    for (const total of ['9999999999999999.99', '-9999999999999999.994', '0009999999999999999.99', '.5', '1e15']) {
      await db.run(`INSERT INTO public.jobs (total) VALUES ($1)`, [total]);
    }
    for (const total of ['9999999999999999.995', '10000000000000000', '-99999999999999999', '1e17']) {
      await assert.rejects(db.run(`INSERT INTO public.jobs (total) VALUES ($1)`, [total]), (e: unknown) => e instanceof CheckViolationError && e.constraint === 'jobs_total_precision', total);
    }
    // numeric(8,3): exact at the bound too, also when rounding carries into the integer part.
    const [team] = await db.run(`INSERT INTO lab.teams (slug) VALUES ('p') RETURNING id`);
    await db.run(`INSERT INTO lab.runs (team_id, title, budget) VALUES ($1, 'fits', '99999.9994')`, [team.id]);
    await assert.rejects(db.run(`INSERT INTO lab.runs (team_id, title, budget) VALUES ($1, 'carries', '99999.9995')`, [team.id]), CheckViolationError);
  });
});

describe('the emitted SQLite schema of generated/ (the app schema)', () => {
  it('loads, and deleting a user cascades to its tasks and identities', async () => {
    const db = await loaded('app', readFileSync(path.join(HERE, '../../generated/sqlite/schema.sql'), 'utf8'));
    try {
      const [user] = await db.run(`INSERT INTO app.users (first_name, last_name) VALUES ('a', 'b') RETURNING id`);
      await db.run(`INSERT INTO app.tasks (title, owner_id) VALUES ('t', $1)`, [user.id]);
      await db.run(`INSERT INTO app.user_identities (user_id, provider, subject) VALUES ($1, 'p', 's')`, [user.id]);
      await assert.rejects(db.run(`INSERT INTO app.user_identities (user_id, provider, subject) VALUES ($1, 'p', 's')`, [user.id]), ConflictError);
      await assert.rejects(db.run(`INSERT INTO app.tasks (title, owner_id, priority) VALUES ('t', $1, 6)`, [user.id]), (e: unknown) => e instanceof CheckViolationError && e.constraint === 'tasks_priority_range');
      await db.run(`DELETE FROM app.users WHERE id = $1`, [user.id]);
      assert.deepEqual(await db.run(`SELECT (SELECT count(*) FROM app.tasks) AS tasks, (SELECT count(*) FROM app.user_identities) AS identities`), [{ tasks: 0, identities: 0 }]);
    } finally {
      await db.close();
    }
  });
});

describe('SQLite translation rules', () => {
  const column = (defaultExpr: string, type: Column['type'], extra: Partial<Column> = {}): Column =>
    ({ name: 'c', sqlName: 'c', position: 1, type, notNull: true, generated: false, defaultExpr, ...extra });
  const base = (name: string, array = false): Column['type'] => ({ kind: 'base', name, array });

  it('defaults', () => {
    assert.deepEqual(translateDefault(column('now()', base('timestamptz'))), { sql: '(now())' });
    assert.deepEqual(translateDefault(column('CURRENT_TIMESTAMP', base('timestamptz'))), { sql: '(now())' });
    assert.deepEqual(translateDefault(column("'{}'::jsonb", base('jsonb'))), { sql: "'{}'" });
    assert.deepEqual(translateDefault(column("'{a,\"b,c\",NULL}'::text[]", base('text', true))), { sql: `'["a","b,c",null]'` });
    assert.deepEqual(translateDefault(column("'{t,f}'::boolean[]", base('bool', true))), { sql: "'[true,false]'" });
    assert.deepEqual(translateDefault(column('(-1)', base('int4'))), { sql: '-1' });
    assert.deepEqual(translateDefault(column('12.5', base('numeric'))), { sql: "'12.5'" });
    assert.deepEqual(translateDefault(column("'it''s'::text", base('text'))), { sql: "'it''s'" });
    assert.deepEqual(translateDefault(column("'2024-01-01 00:00:00+00'::timestamp with time zone", base('timestamptz'))), { sql: "'2024-01-01T00:00:00.000Z'" });
    assert.ok('reason' in translateDefault(column("nextval('x_seq'::regclass)", base('int4'))));
    assert.ok('reason' in translateDefault(column('random()', base('float8'))));
  });

  it('expressions: casts dropped outside literals, PostgreSQL-only operators refused', () => {
    assert.deepEqual(translateExpression("((status)::text <> 'a::b'::text)"), { sql: "((status) <> 'a::b')" });
    assert.deepEqual(translateExpression("(at > '2020-01-01 00:00:00'::timestamp without time zone)"), { sql: "(at > '2020-01-01 00:00:00')" });
    assert.ok('reason' in translateExpression("(name ~ '^a')"));
    assert.ok('reason' in translateExpression('(x = ANY (ARRAY[1, 2]))'));
    assert.ok('reason' in translateExpression('(date_trunc(\'day\', at) = at)'));
  });

  it('a schema SQLite cannot load is a codegen problem', () => {
    const problems: { where: string; message: string }[] = [];
    checkSqlitePortability('CREATE TABLE app.t (x TEXT) STRICT; CREATE TABLE app.t (y TEXT);', { schemas: ['app'], tables: [], enums: [] }, [], problems);
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /does not load: table t already exists/);
  });
});
