import pg from 'pg';
import type { DatabaseConfig } from '../config/load.js';
import { tlsOptionsFor, withoutSslParams } from '../dialect/postgres/tls.js';
import { destroySocket } from '../pool/index.js';
import { redactUrl } from '../redact.js';

/** A configured database as a plain `pg.Client` config: its password file and TLS settings, no pool, no statement timeout. */
export function clientConfigOf(db: DatabaseConfig): pg.ClientConfig {
  const url = new URL(withoutSslParams(db.url));
  if (db.password !== undefined) url.password = encodeURIComponent(db.password);
  return { connectionString: url.toString(), ssl: tlsOptionsFor(db.ssl) };
}

/** @throws Error naming the database (its URL without the password) when the connection fails. */
export async function connectClient(config: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client(config);
  try {
    await client.connect();
  } catch (error) {
    // A client-side failure mid-handshake (no password for SCRAM) would keep the socket, and the process, alive
    // until the server's authentication_timeout.
    destroySocket(client);
    const where = config.connectionString ? redactUrl(config.connectionString) : `${config.database ?? 'the default database'} (libpq defaults)`;
    throw new Error(`cannot connect to ${where}: ${(error as Error).message}`, { cause: error });
  }
  return client;
}
