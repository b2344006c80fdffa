import type { MigrationClient } from './migrator.js';
import { statementFailure } from './driver-error.js';

/** The schema owner of the service design; migrations run as it so `appuser` gets new tables by default privileges. */
export const DEFAULT_OWNER_ROLE = 'appowner';

export interface OwnerRoleRequest {
  name: string;
  /** Named by a flag or the environment, or required (production): then a missing role is a mistake, not an unprovisioned server. */
  explicit: boolean;
}

export interface MigrationRole {
  /** The role to pass to the Migrator; undefined: run as the login. */
  role?: string;
  /** Who the DDL runs as, for messages. */
  runAs: string;
  /** Set when the owner role is missing and the migrations run as the login instead. */
  note?: string;
}

export class OwnerRoleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OwnerRoleError';
  }
}

/**
 * Decides who runs the migrations: the owner role when it exists and the login may `SET ROLE` to it; the
 * login itself when the default owner does not exist (a development server that was never provisioned).
 * @throws OwnerRoleError when the role exists but the login cannot become it, or an explicitly named role is missing.
 */
export async function resolveMigrationRole(client: MigrationClient, owner: OwnerRoleRequest): Promise<MigrationRole> {
  const { rows } = await client.query(
    `SELECT current_user AS login, EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS present`,
    [owner.name],
  );
  const { login, present } = rows[0] as { login: string; present: boolean };
  if (!present) {
    if (owner.explicit) throw new OwnerRoleError(`role ${owner.name} does not exist: create it (\`init-db --provision\`) or name an existing owner role`);
    return { runAs: login, note: `role ${owner.name} does not exist (server not provisioned): migrating as ${login}` };
  }
  // Tried rather than looked up: membership alone is not enough where the grant lacks the SET option (PostgreSQL 16+).
  await client.query('BEGIN');
  try {
    await client.query(`SELECT set_config('role', $1, true)`, [owner.name]);
  } catch (error) {
    if (statementFailure(error).sqlState !== '42501') throw error;
    throw new OwnerRoleError(
      `${login} cannot SET ROLE ${owner.name}: migrate with an admin login (--url) or a member of ${owner.name}`,
      { cause: error },
    );
  } finally {
    await client.query('ROLLBACK');
  }
  return { role: owner.name, runAs: owner.name };
}
