import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { sslModeInUrl } from '../../src/config/url.js';
import { createDialect } from '../../src/dialect/create.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('config', () => {
  it('reads the design shape from config.yaml, in seconds, into milliseconds', () => {
    const f = file('a.yaml', `database:\n  url: postgresql://app@db:5432/appdb\n  pool_size: 20\n  max_overflow: 10\n  pool_timeout: 30\n  pool_recycle: 1800\n  statement_timeout: 15\n`);
    const config = loadConfig({ file: f, env: { APP_ENV: 'development' } });
    const db = config.databases[0];
    assert.equal(db.name, 'app');
    assert.equal(db.poolSize, 20);
    assert.equal(db.maxOverflow, 10);
    assert.equal(db.poolTimeoutMs, 30_000);
    assert.equal(db.recycleMs, 1_800_000);
    assert.equal(db.statementTimeoutMs, 15_000);
    assert.equal(db.prePing, true);
  });

  it('applies profiles: development small and verbose, production large and quiet with TLS', () => {
    const dev = loadConfig({ values: { database: { url: 'postgresql://h/db' } }, env: { APP_ENV: 'development' } }).databases[0];
    assert.equal(dev.poolSize, 5);
    assert.equal(dev.echo, true);
    assert.equal(dev.ssl.mode, 'disable');
    const prod = loadConfig({ values: { database: { url: 'postgresql://h/db' } }, env: { APP_ENV: 'production' } }).databases[0];
    assert.equal(prod.poolSize, 20);
    assert.equal(prod.echo, false);
    assert.equal(prod.ssl.mode, 'verify-full');
  });

  it('lets DATABASE_URL override the file, and defaults development to a SQLite file', () => {
    const f = file('b.yaml', `database:\n  url: postgresql://from-file/db\n`);
    assert.equal(loadConfig({ file: f, env: { DATABASE_URL: 'postgresql://from-env/db' } }).databases[0].url, 'postgresql://from-env/db');
    assert.equal(loadConfig({ values: {}, env: {} }).databases[0].url, 'sqlite:///./database.db');
    assert.throws(() => loadConfig({ values: {}, env: { APP_ENV: 'production' } }), /database\.url: required/);
  });

  it('names the key and what was expected for a bad value', () => {
    assert.throws(
      () => loadConfig({ values: { database: { url: 'postgresql://h/db', pool_size: 'lots' } }, env: {} }),
      (e: Error) => e instanceof ConfigError && /database\.pool_size: expected a whole number >= 1/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ values: { database: { url: 'postgresql://h/db', ssl: { mode: 'sometimes' } } }, env: {} }),
      /database\.ssl\.mode: expected one of disable, prefer, require, verify-ca, verify-full/,
    );
    assert.throws(
      () => loadConfig({ values: { database: { url: 'postgresql://h/db', poolsize: 3 } }, env: {} }),
      /database: .*\(poolsize\)/,
    );
    assert.throws(
      () => loadConfig({ values: { databases: { temporal: { url: 'postgresql://h/t', max_overflow: -1 } } }, env: {} }),
      /databases\.temporal\.max_overflow: expected a whole number >= 0/,
    );
    assert.throws(() => loadConfig({ values: {}, env: { APP_ENV: 'staging' } }), /APP_ENV: expected development, test or production/);
  });

  it('reads the password from a file, keeps it out of JSON, and names a missing file', () => {
    const secret = file('pw', 's3cr3t-Pa55\n');
    const db = loadConfig({ values: { database: { url: 'postgresql://appuser@h/db' } }, env: { DATABASE_PASSWORD_FILE: secret } }).databases[0];
    assert.equal(db.password, 's3cr3t-Pa55');
    assert.doesNotMatch(JSON.stringify(db), /s3cr3t/);
    assert.throws(
      () => loadConfig({ values: { database: { url: 'postgresql://h/db', password_file: path.join(dir, 'nope') } }, env: {} }),
      /database\.password_file: cannot read .*nope: ENOENT/,
    );
  });

  it('production refuses a connection without TLS unless explicitly allowed', () => {
    assert.throws(
      () => loadConfig({ values: { database: { url: 'postgresql://h/db?sslmode=disable' } }, env: { APP_ENV: 'production' } }),
      /production profile requires TLS .* got disable/,
    );
    const allowed = loadConfig({
      values: { database: { url: 'postgresql://h/db?sslmode=disable', ssl: { allow_insecure: true } } },
      env: { APP_ENV: 'production' },
    });
    assert.equal(allowed.databases[0].ssl.mode, 'disable');
  });

  it('a malformed URL fails naming its key, with the password nowhere in the error', () => {
    const secret = 'hun#ter2-Sekr1t';
    const cases: [object, string][] = [
      [{ database: { url: `postgresql://u:${secret}@h/db` } }, 'database.url'],
      [{ database: { url: `postgresql://u:${secret}@h:99999/db` } }, 'database.url'],
      [{ database: { url: 'postgresql://h/db', read_only_url: `postgresql://ro:${secret}@h:99999/db` } }, 'database.read_only_url'],
      [{ database: { url: 'postgresql://h/db', replicas: ['postgresql://h2/db', `postgresql://r:${secret}@h/db`] } }, 'database.replicas.1'],
      [{ databases: { temporal: { url: `postgresql://t:${secret}@h/db` } } }, 'databases.temporal.url'],
    ];
    for (const [values, key] of cases) {
      const error = (() => {
        try {
          loadConfig({ values, env: {} });
        } catch (e) {
          return e;
        }
      })();
      assert.ok(error instanceof ConfigError, `${key}: ${String(error)}`);
      assert.ok(error.message.startsWith(`${key}: not a valid URL`), error.message);
      const everything = JSON.stringify({ ...error, message: error.message, stack: error.stack, cause: String(error.cause) });
      assert.doesNotMatch(everything, /hun|Sekr1t/, key);
    }
    // A URL handed to a dialect directly (a replica, tests, custom setups) is checked the same way.
    const config = loadConfig({ values: { database: { url: 'postgresql://h/db' } }, env: {} }).databases[0];
    const direct = (() => {
      try {
        createDialect(config, { url: `postgresql://r:${secret}@h:99999/db`, name: 'app-replica-1' });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(direct instanceof ConfigError && direct.message.startsWith('app-replica-1 url: not a valid URL'), String(direct));
    assert.doesNotMatch(JSON.stringify({ ...direct, message: direct.message, stack: direct.stack }), /hun|Sekr1t/);
  });

  it('each read-only and replica URL keeps its own sslmode, and production checks every URL', () => {
    const values = {
      database: {
        url: 'postgresql://h/db',
        read_only_url: 'postgresql://ro@h/db?sslmode=verify-full',
        replicas: ['postgresql://r1/db?sslmode=require', 'postgresql://r2/db'],
      },
    };
    const dev = loadConfig({ values, env: { APP_ENV: 'development' } }).databases[0];
    assert.deepEqual(
      [dev.url, dev.readOnlyUrl!, ...dev.replicas].map((url) => [sslModeInUrl(url) ?? dev.ssl.mode, url.split('?')[0]]),
      [['disable', 'postgresql://h/db'], ['verify-full', 'postgresql://ro@h/db'], ['require', 'postgresql://r1/db'], ['disable', 'postgresql://r2/db']],
    );
    const prod = (database: object) => () => loadConfig({ values: { database: { url: 'postgresql://h/db', ...database } }, env: { APP_ENV: 'production' } });
    assert.throws(prod({ read_only_url: 'postgresql://ro@h/db?sslmode=disable' }), /^ConfigError: database\.read_only_url \(sslmode=disable\): the production profile requires TLS/);
    assert.throws(prod({ replicas: ['postgresql://r1/db', 'postgresql://r2/db?sslmode=prefer'] }), /database\.replicas\.1 \(sslmode=prefer\): the production profile requires TLS/);
    assert.throws(prod({ read_only_url: 'postgresql://ro@h/db?sslmode=sometimes' }), /database\.read_only_url: sslmode=sometimes is not a libpq sslmode/);
    assert.doesNotThrow(prod({ read_only_url: 'postgresql://ro@h/db?sslmode=disable', ssl: { allow_insecure: true } }));
  });

  it('rejects pool_timeout 0 (the pool needs a positive wait), naming the key', () => {
    assert.throws(
      () => loadConfig({ values: { database: { url: 'postgresql://h/db', pool_timeout: 0 } }, env: {} }),
      (e: Error) => e instanceof ConfigError && /database\.pool_timeout: expected seconds > 0/.test(e.message),
    );
    assert.throws(() => loadConfig({ values: { databases: { t: { url: 'postgresql://h/t', pool_timeout: 0 } } }, env: {} }), /databases\.t\.pool_timeout/);
    assert.equal(loadConfig({ values: { database: { url: 'postgresql://h/db', pool_timeout: 0.5 } }, env: {} }).databases[0].poolTimeoutMs, 500);
  });

  it('rejects named prepared statements with pgbouncer: true; pgbouncer alone defaults to unnamed', () => {
    assert.throws(
      () => loadConfig({ values: { database: { url: 'postgresql://h/db', pgbouncer: true, prepared_statements: 'named' } }, env: {} }),
      (e: Error) => e instanceof ConfigError && /database\.prepared_statements: 'named' cannot be used with pgbouncer: true/.test(e.message),
    );
    assert.equal(loadConfig({ values: { database: { url: 'postgresql://h/db', pgbouncer: true } }, env: {} }).databases[0].preparedStatements, 'unnamed');
  });

  it('takes several databases, main first', () => {
    const config = loadConfig({
      values: { database: { url: 'postgresql://h/appdb' }, databases: { temporal: { url: 'postgresql://h/temporal', pool_size: 3 } } },
      env: {},
    });
    assert.deepEqual(config.databases.map((d) => [d.name, d.poolSize]), [['app', 5], ['temporal', 3]]);
  });
});
