import { createSqliteDialect, sqliteCodec } from '../src/dialect/sqlite/index.js';
const DDL = `CREATE TABLE app.users (id TEXT NOT NULL PRIMARY KEY DEFAULT (gen_random_uuid()), first_name TEXT NOT NULL, last_name TEXT NOT NULL, email TEXT, created_at TEXT NOT NULL DEFAULT (now()), updated_at TEXT NOT NULL DEFAULT (now()), CONSTRAINT users_email_key UNIQUE (email)) STRICT`;
const d = createSqliteDialect({ url: 'sqlite::memory:' });
await d.exec(DDL);
const c0 = await d.acquire(); await c0.begin(); for (let i = 0; i < 10000; i++) await c0.query('INSERT INTO app.users (first_name, last_name, email) VALUES ($1, $2, $3)', ['a', 'b', `s${i}`]); await c0.commit();
const ids = (await c0.query<{id: string}>('SELECT id FROM app.users')).rows.map(r => r.id); c0.release();
const GET = 'SELECT id, first_name, last_name, email, created_at, updated_at FROM app.users WHERE id = $1';
const cols = [['id', { kind: 'uuid' }], ['first_name', { kind: 'text' }], ['last_name', { kind: 'text' }], ['email', { kind: 'text' }], ['created_at', { kind: 'timestamp' }], ['updated_at', { kind: 'timestamp' }]].map(([n, t]) => ({ field: n, column: n, type: t })) as any[];
function dec(row: any) { const o: any = {}; for (const c of cols) o[c.field] = sqliteCodec.decode(row[c.column], c.type); return o; }
const N = 1_000_000;
const t = performance.now();
for (let i = 0; i < N; i++) { const c = await d.acquire(); const r = await c.query(GET, [sqliteCodec.encode(ids[i % 10000], {kind: 'uuid'})]); c.release(); dec(r.rows[0]); }
console.log(((performance.now() - t) / N * 1000).toFixed(2), 'µs/op');
