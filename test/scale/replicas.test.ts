import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase, openDatabases, type Database } from '../../src/database.js';
import { createDialect } from '../../src/dialect/create.js';
import type { Dialect } from '../../src/dialect/dialect.js';
import { DatabaseUnavailableError, ReadOnlyError } from '../../src/errors.js';
import { ReplicaRouter } from '../../src/replicas.js';
import { runTransaction } from '../../src/transaction.js';
import { ThrowawayCluster } from '../support/cluster.js';
import { adminQuery, migrate, withDatabase } from '../support/database.js';
import { captureLogger, testDatabaseConfig } from '../support/runtime.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `read` until it returns true, for at most `ms`. */
async function eventually(read: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await read())) {
    if (Date.now() > deadline) throw new Error(`not true within ${ms} ms`);
    await sleep(50);
  }
}

/**
 * `inner`, except that the connection it lends next after `dieNextCheckout()` has its server backend
 * terminated first: a replica connection that dies between checkout and BEGIN.
 */
function dyingOnce(inner: Dialect, serverUrl: string): Dialect & { dieNextCheckout(): void } {
  let armed = false;
  return {
    name: inner.name,
    codec: inner.codec,
    status: () => inner.status(),
    exec: (script) => inner.exec(script),
    close: (timeoutMs) => inner.close(timeoutMs),
    dieNextCheckout: () => (armed = true),
    acquire: async () => {
      const connection = await inner.acquire();
      if (armed) {
        armed = false;
        const pid = (await connection.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        await adminQuery(serverUrl, 'SELECT pg_terminate_backend($1, 5000)', [pid]);
      }
      return connection;
    },
  };
}

describe('read replicas (a real primary and two streaming replicas)', () => {
  let primary: ThrowawayCluster;
  let replicas: ThrowawayCluster[];
  let db: Database;
  const logger = captureLogger();
  const appUrl = (c: ThrowawayCluster) => withDatabase(c.url, 'appdb');
  const config = (extra: object = {}) =>
    loadConfig({
      values: {
        database: { url: appUrl(primary), replicas: replicas.map(appUrl), replica_retry: 0.2, replica_max_lag: 1, pool_timeout: 3, ...extra },
      },
      env: { APP_ENV: 'test' },
    });
  const serverPort = (d: Database) => d.readOnly(async (_r, tx) => (await tx.query<{ port: number }>('SELECT inet_server_port() AS port')).rows[0].port);

  before(async () => {
    // wal_keep_size: a base backup's checkpoint must not recycle the WAL another backup still has to stream
    // ("requested WAL segment ... has already been removed"); the backups also run one after the other.
    primary = await ThrowawayCluster.create({ config: ['wal_level = replica', 'max_wal_senders = 10', "wal_keep_size = '256MB'"] });
    await adminQuery(primary.url, 'CREATE DATABASE appdb');
    await migrate(appUrl(primary));
    replicas = [await ThrowawayCluster.replicaOf(primary), await ThrowawayCluster.replicaOf(primary)];
    db = openDatabase(config(), { logger });
  });
  after(async () => {
    await db?.close();
    await Promise.all((replicas ?? []).map((r) => r.destroy()));
    await primary?.destroy();
  });

  it('a row written on the primary becomes readable on the replicas', async () => {
    await db.executor.query(`INSERT INTO app.users (first_name, last_name) VALUES ('Rep', 'Lica')`);
    await eventually(async () => {
      const counts = await Promise.all(
        [0, 1].map(() => db.readOnly(async (_r, tx) => (await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM app.users WHERE last_name = 'Lica'`)).rows[0].n)),
      );
      return counts.every((n) => n === 1);
    });
  });

  it('reads go round robin over the replicas, never to the primary while they are up', async () => {
    const ports = new Set<number>();
    for (let i = 0; i < 6; i++) ports.add(await serverPort(db));
    assert.deepEqual([...ports].sort(), replicas.map((r) => r.port).sort());
  });

  it('a write through readOnly fails with a typed error', async () => {
    const error = await db.readOnly((_r, tx) => tx.query(`INSERT INTO app.users (first_name, last_name) VALUES ('x', 'y')`)).catch((e) => e);
    assert.ok(error instanceof ReadOnlyError, String(error));
  });

  it('every replica has its own pool, health and status line', async () => {
    const dbs = openDatabases(config(), { logger: captureLogger() });
    try {
      const health = await dbs.healthCheck();
      assert.deepEqual(Object.keys(health), ['app', 'app-replica-1', 'app-replica-2']);
      assert.ok(Object.values(health).every((h) => h.ok));
      assert.equal(health['app-replica-1'].role, 'replica');
      assert.deepEqual(Object.keys(dbs.poolStatus()), ['app', 'app-replica-1', 'app-replica-2']);
    } finally {
      await dbs.close();
    }
  });

  it('a lagging replica leaves the rotation and rejoins when it catches up', async () => {
    const lagging = replicas[0];
    await adminQuery(withDatabase(lagging.url, 'appdb'), 'SELECT pg_wal_replay_pause()');
    try {
      await db.executor.query(`INSERT INTO app.users (first_name, last_name) VALUES ('Lag', 'Gard')`);
      await sleep(1300); // past replica_max_lag (1 s) and the lag re-check interval
      const ports = new Set<number>();
      for (let i = 0; i < 6; i++) ports.add(await serverPort(db));
      assert.deepEqual([...ports], [replicas[1].port]);
      assert.match(db.replicaState()[0].lastError ?? '', /replication lag/);
    } finally {
      await adminQuery(withDatabase(lagging.url, 'appdb'), 'SELECT pg_wal_replay_resume()');
    }
    await eventually(async () => (await serverPort(db)) === lagging.port || (await serverPort(db)) === lagging.port);
  });

  it('an idle primary keeps caught-up replicas in rotation', async () => {
    await sleep(1500); // nothing written for longer than replica_max_lag (1 s)
    const ports = new Set<number>();
    for (let i = 0; i < 6; i++) ports.add(await serverPort(db));
    assert.deepEqual([...ports].sort(), replicas.map((r) => r.port).sort());
    assert.ok(db.replicaState().every((r) => r.inRotation));
  });

  it('a replica that stopped receiving WAL leaves the rotation though it has nothing to replay, and rejoins', async () => {
    const cut = replicas[0];
    const conninfo = (await adminQuery(cut.url, 'SHOW primary_conninfo')).rows[0].primary_conninfo as string;
    const setConninfo = async (value: string) => {
      await adminQuery(cut.url, `ALTER SYSTEM SET primary_conninfo = '${value.replaceAll("'", "''")}'`);
      await adminQuery(cut.url, 'SELECT pg_reload_conf()');
    };
    const receiving = async () => (await adminQuery(cut.url, 'SELECT count(*)::int AS n FROM pg_stat_wal_receiver')).rows[0].n === 1;
    await setConninfo(''); // the WAL receiver stops, as when the primary is unreachable from the replica
    try {
      await eventually(async () => !(await receiving()));
      for (let i = 0; i < 5; i++) await db.executor.query(`INSERT INTO app.users (first_name, last_name) VALUES ('Cut', 'Off')`);
      const countSql = `SELECT count(*)::int AS n FROM app.users WHERE last_name = 'Off'`;
      await eventually(async () => (await adminQuery(appUrl(replicas[1]), countSql)).rows[0].n === 5);
      assert.equal((await adminQuery(appUrl(cut), countSql)).rows[0].n, 0, 'the cut replica is stale');
      await sleep(300); // past the lag re-check interval (replica_retry 0.2 s)
      for (let i = 0; i < 6; i++) {
        const row = await db.readOnly(async (_r, tx) => (await tx.query<{ n: number; port: number }>(`${countSql.replace('AS n', 'AS n, inet_server_port() AS port')}`)).rows[0]);
        assert.deepEqual(row, { n: 5, port: replicas[1].port });
      }
      assert.equal(db.replicaState()[0].inRotation, false);
      assert.match(db.replicaState()[0].lastError ?? '', /not receiving WAL from the primary/);
    } finally {
      await setConninfo(conninfo);
    }
    await eventually(async () => (await serverPort(db)) === cut.port || (await serverPort(db)) === cut.port, 20_000);
  });

  it('a replica connection that dies between checkout and BEGIN moves the read to the next replica', async () => {
    const config = testDatabaseConfig(appUrl(primary));
    const replicaLogger = captureLogger();
    const dying = dyingOnce(createDialect(config, { url: appUrl(replicas[0]), name: 'dying' }), replicas[0].url);
    const healthy = createDialect(config, { url: appUrl(replicas[1]), name: 'healthy' });
    // A long retry: the lag was checked moments ago, so the connection goes to BEGIN unchecked.
    const router = new ReplicaRouter([{ name: 'dying', dialect: dying }, { name: 'healthy', dialect: healthy }], {
      maxLagMs: 1000, retryMs: 60_000, logger: replicaLogger, database: 'app',
    });
    const log = { logger: replicaLogger, echo: false, slowQueryMs: 0, database: 'app' };
    const read = () => runTransaction(router, log, { readOnly: true }, async (tx) => (await tx.query<{ port: number }>('SELECT inet_server_port() AS port')).rows[0].port);
    try {
      assert.deepEqual([await read(), await read()], [replicas[0].port, replicas[1].port]);
      dying.dieNextCheckout();
      assert.equal(await read(), replicas[1].port, 'the read ran on the other replica, without an error');
      assert.equal(router.state()[0].inRotation, false);
      assert.match(router.state()[0].lastError ?? '', /lost before BEGIN/);
      assert.equal(dying.status().checkedOut, 0, 'the dead connection was discarded, not leaked');
    } finally {
      await Promise.all([dying.close(), healthy.close()]);
    }
  });

  it('stopping replicas moves reads to the other replica, then to the primary, with no error; they rejoin', async () => {
    await replicas[0].stop();
    for (let i = 0; i < 4; i++) assert.equal(await serverPort(db), replicas[1].port);
    await replicas[1].stop();
    for (let i = 0; i < 3; i++) assert.equal(await serverPort(db), primary.port);
    assert.ok(logger.lines.some((l) => l.msg === 'replica taken out of rotation'));

    const strict = openDatabase(config({ replica_fallback: 'fail' }), { logger: captureLogger() });
    try {
      const error = await serverPort(strict).catch((e) => e);
      assert.ok(error instanceof DatabaseUnavailableError, String(error));
      assert.match(error.message, /no replica of app is available/);
    } finally {
      await strict.close();
    }

    await Promise.all(replicas.map((r) => r.start()));
    await eventually(async () => {
      const ports = new Set<number>();
      for (let i = 0; i < 4; i++) ports.add(await serverPort(db));
      return ports.size === 2 && !ports.has(primary.port);
    });
  });
});
