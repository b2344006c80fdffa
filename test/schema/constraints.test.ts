import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createMigratedDatabase, type TestDatabase } from '../support/database.js';

describe('app schema constraints', () => {
  let db: TestDatabase;
  let client: pg.Client;
  let userId: string;

  before(async () => {
    db = await createMigratedDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(
      `INSERT INTO app.users (first_name, last_name, email) VALUES ('Ada', 'Lovelace', 'ada@example.com') RETURNING id`,
    );
    userId = rows[0].id;
  });
  after(async () => {
    await client.end();
    await db.drop();
  });

  it('gives every table a uuid key and timestamps by default', async () => {
    const { rows } = await client.query(`SELECT id, created_at, updated_at FROM app.users WHERE id = $1`, [userId]);
    assert.match(rows[0].id, /^[0-9a-f-]{36}$/);
    assert.ok(rows[0].created_at instanceof Date);
    assert.ok(rows[0].updated_at instanceof Date);
  });

  it('moves updated_at forward on every update', async () => {
    const before = await client.query(`SELECT updated_at FROM app.users WHERE id = $1`, [userId]);
    await client.query(`UPDATE app.users SET first_name = 'Augusta' WHERE id = $1`, [userId]);
    const after = await client.query(`SELECT updated_at FROM app.users WHERE id = $1`, [userId]);
    assert.ok(after.rows[0].updated_at > before.rows[0].updated_at);
  });

  it('rejects a duplicate email but allows many users without one', async () => {
    await assert.rejects(
      client.query(`INSERT INTO app.users (first_name, last_name, email) VALUES ('A', 'B', 'ada@example.com')`),
      (e: any) => e.code === '23505' && e.constraint === 'users_email_key',
    );
    await client.query(`INSERT INTO app.users (first_name, last_name) VALUES ('No', 'Email'), ('Also', 'None')`);
  });

  it('rejects a duplicate (provider, subject)', async () => {
    await client.query(`INSERT INTO app.user_identities (user_id, provider, subject) VALUES ($1, 'google', 'sub-1')`, [userId]);
    await assert.rejects(
      client.query(`INSERT INTO app.user_identities (user_id, provider, subject) VALUES ($1, 'google', 'sub-1')`, [userId]),
      (e: any) => e.code === '23505' && e.constraint === 'user_identities_provider_subject_key',
    );
    // the same subject at another issuer is another identity
    await client.query(`INSERT INTO app.user_identities (user_id, provider, subject) VALUES ($1, 'https://kc.example/realms/x', 'sub-1')`, [userId]);
  });

  it('rejects an unknown task status', async () => {
    await assert.rejects(
      client.query(`INSERT INTO app.tasks (title, owner_id, status) VALUES ('t', $1, 'blocked')`, [userId]),
      (e: any) => e.code === '22P02' && /invalid input value for enum app.task_status/.test(e.message),
    );
  });

  it('deleting a user cascades to identities and tasks', async () => {
    const { rows } = await client.query(
      `INSERT INTO app.users (first_name, last_name) VALUES ('Gone', 'Soon') RETURNING id`,
    );
    const id = rows[0].id;
    await client.query(`INSERT INTO app.user_identities (user_id, provider, subject) VALUES ($1, 'microsoft', 'm-1')`, [id]);
    await client.query(`INSERT INTO app.tasks (title, owner_id) VALUES ('t', $1)`, [id]);
    await client.query(`DELETE FROM app.users WHERE id = $1`, [id]);
    const left = await client.query(
      `SELECT (SELECT count(*) FROM app.user_identities WHERE user_id = $1)::int + (SELECT count(*) FROM app.tasks WHERE owner_id = $1)::int AS n`,
      [id],
    );
    assert.equal(left.rows[0].n, 0);
  });
});
