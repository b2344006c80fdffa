import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type DatabaseConfig } from '../../src/config/load.js';
import { DEFAULT_DEVELOPMENT_URL, type Profile } from '../../src/config/profiles.js';
import { configFileSchema, databaseFileSchema } from '../../src/config/schema.js';
import { REPO_ROOT } from '../support/database.js';

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const docs = ['README.md', 'examples/add-a-table.md', 'docs/codegen.md', 'docs/pool.md', 'docs/security.md'];
const text = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const readme = text('README.md');

/** A table of the README: the rows after the header line starting with `header`, as cells. */
function readmeTable(header: string): string[][] {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  assert.ok(start >= 0, `README has no table starting with ${header}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|').slice(1, -1).map((cell) => cell.trim()));
  }
  return rows;
}

const codeNames = (cell: string) => [...cell.matchAll(/`([\w.]+)`/g)].map((m) => m[1]);

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

  it('names the two set-up commands', () => {
    assert.match(readme, /npm ci && npm run example/);
    assert.match(readme, /^npm test\b/m);
  });
});

describe('the configuration reference matches the loader', () => {
  const rows = readmeTable('| key (under `database:`');
  const documented = new Map(rows.flatMap(([keys, byDefault]) => codeNames(keys).map((key) => [key, byDefault] as const)));

  it('documents every key the schema accepts (ssl.* and the top-level log_level too), and no other', () => {
    const ssl = databaseFileSchema.shape.ssl.unwrap().shape;
    const keys = [
      ...Object.keys(databaseFileSchema.shape).filter((k) => k !== 'ssl'),
      ...Object.keys(ssl).map((k) => `ssl.${k}`),
      ...Object.keys(configFileSchema.shape).filter((k) => k !== 'database' && k !== 'databases'),
    ].sort();
    assert.deepEqual([...documented.keys()].sort(), keys);
  });

  /** Each documented key as the loader resolves it, in the README's units (seconds, not milliseconds). */
  const resolved: Record<string, (db: DatabaseConfig, logLevel: string) => unknown> = {
    password_file: (db) => db.password,
    read_only_url: (db) => db.readOnlyUrl,
    read_only_password_file: (db) => db.readOnlyPassword,
    pool_size: (db) => db.poolSize,
    max_overflow: (db) => db.maxOverflow,
    pool_timeout: (db) => db.poolTimeoutMs / 1000,
    pool_recycle: (db) => db.recycleMs / 1000,
    pre_ping: (db) => db.prePing,
    statement_timeout: (db) => db.statementTimeoutMs / 1000,
    slow_query_ms: (db) => db.slowQueryMs,
    echo: (db) => db.echo,
    prepared_statements: (db) => db.preparedStatements,
    pgbouncer: (db) => db.pgbouncer,
    replicas: (db) => JSON.stringify(db.replicas),
    replica_max_lag: (db) => db.replicaMaxLagMs / 1000,
    replica_retry: (db) => db.replicaRetryMs / 1000,
    replica_fallback: (db) => db.replicaFallback,
    'ssl.mode': (db) => db.ssl.mode,
    'ssl.ca_file': (db) => db.ssl.ca,
    'ssl.cert_file': (db) => db.ssl.cert,
    'ssl.key_file': (db) => db.ssl.key,
    'ssl.allow_insecure': (db) => db.ssl.allowInsecure,
    log_level: (_db, logLevel) => logLevel,
  };
  const profiles: Profile[] = ['development', 'test', 'production'];

  /** `5 (development, test), 20 (production)`, `true (development), false otherwise`, or one value for all. */
  function documentedDefault(cell: string): Record<Profile, string> | undefined {
    const plain = cell.replace(/`/g, '');
    if (plain === '—') return undefined;
    const byProfile = [...plain.matchAll(/([^\s,;()][^,;()]*?) \(((?:development|test|production)(?:, (?:development|test|production))*)\)/g)];
    if (byProfile.length === 0) {
      const value = plain.split(/[\s(]/)[0];
      return { development: value, test: value, production: value };
    }
    const otherwise = /, (\S+) otherwise/.exec(plain)?.[1];
    const values = Object.fromEntries(profiles.map((p) => [p, otherwise])) as Record<Profile, string>;
    for (const [, value, names] of byProfile) for (const p of names.split(', ')) values[p as Profile] = value;
    return values;
  }

  it('gives each key the default the loader applies, per profile', () => {
    for (const profile of profiles) {
      const config = loadConfig({ values: { database: { url: 'postgresql://app@db.internal/appdb' } }, env: { APP_ENV: profile } });
      for (const [key, cell] of documented) {
        if (key === 'url') continue;
        assert.ok(resolved[key], `this test does not know how the loader resolves ${key}`);
        const actual = resolved[key](config.databases[0], config.logLevel);
        const expected = documentedDefault(cell);
        if (expected === undefined) assert.equal(actual, undefined, `${key} is documented without a default`);
        else assert.equal(String(actual), expected[profile], `${key} in ${profile}: README says ${cell}`);
      }
    }
  });

  it('gives the url default: the SQLite file in development, required in production', () => {
    assert.ok(documented.get('url')?.includes(`development: \`${DEFAULT_DEVELOPMENT_URL}\``), documented.get('url'));
    assert.equal(loadConfig({ values: {}, env: { APP_ENV: 'development' } }).databases[0].url, DEFAULT_DEVELOPMENT_URL);
    assert.match(documented.get('url')!, /production: required/);
    assert.throws(() => loadConfig({ values: {}, env: { APP_ENV: 'production' } }), /database\.url: required/);
  });
});

describe('the environment variable table matches the code', () => {
  const rows = readmeTable('| environment variable |');
  const documented = rows.flatMap(([names]) => codeNames(names));
  const sources = (dir: string): string[] =>
    readdirSync(path.join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(path.join(REPO_ROOT, dir, f), 'utf8'));

  it('documents every variable the config loader reads', () => {
    for (const [, name] of text('src/config/load.ts').matchAll(/env\.([A-Z_]+)/g)) {
      assert.ok(documented.includes(name), `README's table misses ${name}`);
    }
  });

  it('documents every variable the CLIs read, in the README or docs/security.md', () => {
    const docsText = readme + text('docs/security.md');
    for (const source of [...sources('src/cli'), ...sources('src/provision')]) {
      for (const [, dotted, indexed] of source.matchAll(/env\.([A-Z_]+)|env\[['"]([A-Z_]+)['"]\]/g)) {
        const name = dotted ?? indexed;
        assert.ok(docsText.includes(`\`${name}\``), `${name} is read but documented nowhere`);
      }
    }
  });

  it('lists only variables something reads', () => {
    const code = [...sources('src'), ...sources('codegen'), ...sources('test/support')].join('\n');
    for (const name of documented) assert.ok(new RegExp(`\\b${name}\\b`).test(code), `README lists ${name}, which nothing reads`);
  });

  it('each "overrides `database.<key>`" row does override that key', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-readme-env-'));
    try {
      const fromFile = path.join(dir, 'file_secret');
      const fromEnv = path.join(dir, 'env_secret');
      writeFileSync(fromFile, 'from-file\n');
      writeFileSync(fromEnv, 'from-env\n');
      const file = { url: 'postgresql://a@file/db', password_file: fromFile, read_only_url: 'postgresql://r@file/db', replicas: ['postgresql://a@file-replica/db'] };
      const overrides = rows.flatMap(([names, effect]) => {
        const key = /overrides `database\.(\w+)`/.exec(effect)?.[1];
        return key ? [{ name: codeNames(names)[0], key, comma: /comma-separated/.test(effect) }] : [];
      });
      assert.ok(overrides.length >= 4, JSON.stringify(overrides));
      const envValue: Record<string, string> = { url: 'postgresql://a@env/db', password_file: fromEnv, read_only_url: 'postgresql://r@env/db', replicas: 'postgresql://a@env1/db, postgresql://a@env2/db' };
      const read: Record<string, (db: DatabaseConfig) => unknown> = {
        url: (db) => db.url,
        password_file: (db) => db.password,
        read_only_url: (db) => db.readOnlyUrl,
        replicas: (db) => db.replicas,
      };
      const expected: Record<string, unknown> = { url: envValue.url, password_file: 'from-env', read_only_url: envValue.read_only_url, replicas: ['postgresql://a@env1/db', 'postgresql://a@env2/db'] };
      for (const { name, key, comma } of overrides) {
        assert.ok(read[key], `this test does not know how to read database.${key}`);
        assert.equal(comma, key === 'replicas', `${name}: comma-separated only for lists`);
        const db = loadConfig({ values: { database: file }, env: { APP_ENV: 'test', [name]: envValue[key] } }).databases[0];
        assert.deepEqual(read[key](db), expected[key], `${name} overrides database.${key}`);
      }
      const config = path.join(dir, 'other.yaml');
      writeFileSync(config, 'database: { url: "postgresql://a@config-file/db" }\nlog_level: error\n');
      const viaConfigFile = loadConfig({ env: { CONFIG_FILE: config, APP_ENV: 'production' } });
      assert.deepEqual([viaConfigFile.databases[0].url, viaConfigFile.logLevel, viaConfigFile.profile], ['postgresql://a@config-file/db', 'error', 'production'], 'CONFIG_FILE and APP_ENV');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
