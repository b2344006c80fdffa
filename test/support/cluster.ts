import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ThrowawayCluster as CodegenCluster, clusterRoot, freePort, ownByPostgres } from '../../codegen/server/cluster.js';

export { findPostgresBinDir, freePort } from '../../codegen/server/cluster.js';

export interface ClusterOptions {
  /** Extra postgresql.conf lines, e.g. `ssl = on`. */
  config?: string[];
  /** pg_hba.conf lines, replacing the defaults. */
  hba?: string[];
  /** Files to write into the data directory before start (certificates): name -> content. */
  files?: Record<string, string>;
}

/** Clusters not destroyed yet: a test whose `after` never ran (a failed `before`) must still not leak a server. */
const live = new Set<ThrowawayCluster>();
process.once('exit', () => {
  for (const cluster of live) cluster.destroySync();
});

/**
 * The throwaway cluster codegen starts, plus what only tests need: settings, pg_hba and files at creation,
 * stop and restart, streaming replicas. Tests that stop, restart or break a server use this, never the shared one.
 */
export class ThrowawayCluster extends CodegenCluster {
  /** @throws Error when initdb or the start fails; nothing is left behind then. */
  static override async create(options: ClusterOptions = {}): Promise<ThrowawayCluster> {
    return ThrowawayCluster.#tracked(await CodegenCluster.initialize((binDir, root, port) => new ThrowawayCluster(binDir, root, port), options.config, (cluster) => {
      if (options.hba) writeFileSync(path.join(cluster.dataDir, 'pg_hba.conf'), options.hba.join('\n') + '\n');
      for (const [name, content] of Object.entries(options.files ?? {})) {
        const file = path.join(cluster.dataDir, name);
        writeFileSync(file, content, { mode: 0o600 });
        ownByPostgres(file);
      }
    }));
  }

  static #tracked(cluster: ThrowawayCluster): ThrowawayCluster {
    live.add(cluster);
    return cluster;
  }

  override async destroy(): Promise<void> {
    live.delete(this);
    await super.destroy();
  }

  /**
   * A streaming replica of `primary`: pg_basebackup -R into a new data directory, started on its own port.
   * The primary's default pg_hba (initdb --auth=trust) already allows local replication connections; give it a
   * `wal_keep_size` so a checkpoint cannot recycle WAL the backup still has to stream.
   */
  static async replicaOf(primary: ThrowawayCluster): Promise<ThrowawayCluster> {
    const root = clusterRoot('sqlwright-replica-');
    const replica = new ThrowawayCluster(primary.binDir, root, await freePort());
    try {
      await replica.runPg('pg_basebackup', ['-D', replica.dataDir, '-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-R', '-X', 'stream', '--no-sync', '--checkpoint=fast']);
      appendFileSync(
        path.join(replica.dataDir, 'postgresql.conf'),
        `\nport = ${replica.port}\nunix_socket_directories = '${root}'\nhot_standby = on\nhot_standby_feedback = on\n`,
      );
      await replica.start();
    } catch (error) {
      await replica.destroy();
      throw error;
    }
    return ThrowawayCluster.#tracked(replica);
  }

  /** Fast shutdown: active connections are terminated, as in a real restart. */
  async stop(): Promise<void> {
    await this.runPg('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', 'stop']);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
