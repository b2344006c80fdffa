import Database from 'better-sqlite3';
const db = new Database(':memory:');
const N = 2_000_000; let x = 0;
for (let r = 0; r < 3; r++) {
let t = performance.now(); for (let i = 0; i < N; i++) if (db.inTransaction) x++; const a = performance.now() - t;
t = performance.now(); for (let i = 0; i < N; i++) if (db.open) x++; const b = performance.now() - t;
const m = new Map([['SELECT id, first_name, last_name, email, created_at, updated_at FROM app.users WHERE id = $1', 1]]);
const key = 'SELECT id, first_name, last_name, email, created_at, updated_at FROM app.users WHERE id = $1';
t = performance.now(); for (let i = 0; i < N; i++) x += m.get(key)!; const c = performance.now() - t;
const RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
t = performance.now(); for (let i = 0; i < N; i++) if (RE.test(u)) x++; const e = performance.now() - t;
console.log('inTransaction', (a/N*1e6).toFixed(0), 'ns; open', (b/N*1e6).toFixed(0), 'ns; map', (c/N*1e6).toFixed(0), 'ns; uuid re', (e/N*1e6).toFixed(0), 'ns');
}
