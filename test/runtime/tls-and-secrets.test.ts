import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase } from '../../src/database.js';
import { DatabaseUnavailableError } from '../../src/errors.js';
import { eventually } from '../pool/helpers.js';
import { TcpFaultProxy } from '../support/tcp-proxy.js';
import { ThrowawayCluster } from '../support/cluster.js';
import { adminQuery } from '../support/database.js';
import { makeTestCertificates, type TestCertificates } from '../support/tls.js';
import { captureLogger } from '../support/runtime.js';

const PASSWORD = 'Tls-Pa55word-9f3c';

describe('TLS and password files, on a throwaway cluster with ssl = on', () => {
  let cluster: ThrowawayCluster;
  let certs: TestCertificates;
  const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-secrets-'));
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  before(async () => {
    certs = makeTestCertificates();
    cluster = await ThrowawayCluster.create({
      config: [`ssl = on`, `ssl_cert_file = 'server.crt'`, `ssl_key_file = 'server.key'`, `password_encryption = 'scram-sha-256'`],
      hba: [
        'local all all trust',
        'host all postgres 127.0.0.1/32 trust',
        'hostssl all appuser 127.0.0.1/32 scram-sha-256',
        'hostnossl all appuser 127.0.0.1/32 reject',
      ],
      files: { 'server.crt': certs.serverCert, 'server.key': certs.serverKey },
    });
    await adminQuery(cluster.url, `CREATE ROLE appuser LOGIN PASSWORD '${PASSWORD}'`);
  });
  after(async () => {
    await cluster.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (sslmode: string, ca: string, extraEnv: NodeJS.ProcessEnv = {}) =>
    loadConfig({
      values: { database: { url: `postgresql://appuser@localhost:${cluster.port}/postgres?sslmode=${sslmode}`, ssl: { ca_file: ca } } },
      env: { APP_ENV: 'production', DATABASE_PASSWORD_FILE: file('pw', PASSWORD + '\n'), ...extraEnv },
    });

  it('verify-full with the right CA connects over TLS, with the password from the file, and never logs it', async () => {
    const logger = captureLogger();
    const db = openDatabase(config('verify-full', file('ca.crt', certs.ca)), { logger });
    try {
      const { rows } = await db.executor.query<{ ssl: boolean; user: string }>(
        'SELECT ssl, current_user AS user FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE pid = pg_backend_pid()',
      );
      assert.deepEqual(rows[0], { ssl: true, user: 'appuser' });
      assert.ok(logger.lines.some((l) => l.msg === 'Database engine initialized'));
    } finally {
      await db.close();
    }
    assert.doesNotMatch(logger.text(), new RegExp(PASSWORD));
  });

  it('verify-full with a wrong CA is rejected', async () => {
    const logger = captureLogger();
    const db = openDatabase(config('verify-full', file('other.crt', certs.otherCa)), { logger });
    try {
      const error = await db.executor.query('SELECT 1').catch((e) => e);
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'DatabaseUnavailableError');
      assert.match(String((error.cause as Error)?.message ?? error.message), /self[- ]signed|unable to verify|certificate/i);
      assert.doesNotMatch(`${error.message} ${logger.text()}`, new RegExp(PASSWORD));
    } finally {
      await db.close();
    }
  });

  it('a wrong password fails without the password in the error or the logs', async () => {
    const logger = captureLogger();
    const wrong = 'Wrong-Pa55-77';
    const db = openDatabase(
      loadConfig({
        values: { database: { url: `postgresql://appuser@localhost:${cluster.port}/postgres?sslmode=verify-full`, ssl: { ca_file: file('ca2.crt', certs.ca) } } },
        env: { APP_ENV: 'production', DATABASE_PASSWORD_FILE: file('wrong', wrong) },
      }),
      { logger },
    );
    try {
      const error = await db.executor.query('SELECT 1').catch((e) => e);
      assert.ok(error instanceof Error);
      assert.match(String((error as Error).message + (error.cause as Error)?.message), /password authentication failed/);
      assert.doesNotMatch(`${error.message} ${String(error.stack)} ${logger.text()}`, new RegExp(`${wrong}|${PASSWORD}`));
    } finally {
      await db.close();
    }
  });

  it('no password for a SCRAM login fails at once, and the half-open connection is closed, not left to the server', async () => {
    // Through a proxy that counts open connections: the server would wait out authentication_timeout (60 s)
    // for a password the client never sends, and keep the socket open that long.
    const proxy = await TcpFaultProxy.start({ host: '127.0.0.1', port: cluster.port });
    const db = openDatabase(
      loadConfig({
        values: { database: { url: `postgresql://appuser@localhost:${proxy.port}/postgres?sslmode=verify-full`, ssl: { ca_file: file('ca3.crt', certs.ca) } } },
        env: { APP_ENV: 'production' },
      }),
      { logger: captureLogger() },
    );
    try {
      await assert.rejects(db.executor.query('SELECT 1'), (e: unknown) => e instanceof DatabaseUnavailableError);
      await eventually(() => proxy.connections === 0, 5_000, 'the half-open connection to close');
    } finally {
      await db.close();
      await proxy.close();
    }
  });

  it('read-only and replica pools use their own URL\'s sslmode, not the main URL\'s', async () => {
    // The main URL connects without TLS (postgres is trusted on plain TCP); appuser may only connect over TLS.
    const tlsUrl = `postgresql://appuser@localhost:${cluster.port}/postgres?sslmode=verify-full`;
    const onTls = (where: string) =>
      loadConfig({
        values: {
          database: {
            url: `postgresql://postgres@127.0.0.1:${cluster.port}/postgres?sslmode=disable`,
            ssl: { ca_file: file('ca4.crt', certs.ca) },
            read_only_password_file: file('ro-pw', PASSWORD),
            ...(where === 'read_only_url' ? { read_only_url: tlsUrl } : { replicas: [tlsUrl] }),
          },
        },
        env: { APP_ENV: 'test' },
      });
    for (const where of ['read_only_url', 'replicas']) {
      const db = openDatabase(onTls(where), { logger: captureLogger() });
      try {
        const { rows } = await db.readOnly((_r, tx) =>
          tx.query<{ ssl: boolean; user: string }>('SELECT ssl, current_user AS user FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE pid = pg_backend_pid()'),
        );
        assert.deepEqual(rows[0], { ssl: true, user: 'appuser' }, where);
        const main = await db.executor.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
        assert.equal(main.rows[0].ssl, false, 'the main pool keeps its own sslmode=disable');
      } finally {
        await db.close();
      }
    }
  });

  it('a password in the URL is redacted in the init log line', async () => {
    const logger = captureLogger();
    const db = openDatabase(
      loadConfig({
        values: { database: { url: `postgresql://appuser:${PASSWORD}@localhost:${cluster.port}/postgres?sslmode=verify-full`, ssl: { ca_file: file('ca3.crt', certs.ca) }, echo: true } },
        env: { APP_ENV: 'production' },
      }),
      { logger },
    );
    try {
      await db.executor.query('SELECT $1::text AS secret', [PASSWORD]);
      assert.ok(logger.lines.some((l) => l.msg === 'query'), 'echo logged the statement');
    } finally {
      await db.close();
    }
    assert.doesNotMatch(logger.text(), new RegExp(PASSWORD));
    assert.match(logger.text(), /appuser:\*\*\*@localhost/);
  });
});
