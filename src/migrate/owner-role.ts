import type { MigrationClient } from './migrator.js';
import { statementFailure } from './driver-error.js';

/** The schema owner of the service design; migrations run as it so `appuser` gets new tables by default privileges. */
export const DEFAULT_OWNER_ROLE = 'appowner';

export interface OwnerRoleRequest {
  name: string;
  /** Named by a flag or the environment, or required (production): then a missing role is a mistake, not an unprovisioned server. */
  explicit: boolean;
}

/**
 * The owner role named by a flag (or an option) or DATABASE_OWNER_ROLE, else the default `appowner`, which may
 * be absent except in production: there the login is the application's, which must never own the tables.
 */
export function ownerRoleRequest(named: string | undefined, env: NodeJS.ProcessEnv): OwnerRoleRequest {
  const name = named ?? (env.DATABASE_OWNER_ROLE || undefined);
  return name === undefined ? { name: DEFAULT_OWNER_ROLE, explicit: env.APP_ENV === 'production' } : { name, explicit: true };
}

export interface MigrationRole {
  /** The role to pass to the Migrator; undefined: run as the login. */
  role?: string;
  /** Who the DDL runs as, for messages. */
  runAs: string;
  /** Set when the default owner cannot be used here and the migrations run as the login instead. */
  note?: string;
}

export class OwnerRoleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OwnerRoleError';
  }
}

// `may_create`: the owner can create the schemas here (CREATE on the database), or init-db --provision already
// gave it schema app. A role provisioned for appdb is cluster-wide but has neither in another database.
const OWNER_SQL = `
  SELECT current_user AS login, current_database() AS database, r.rolname IS NOT NULL AS present,
         r.rolname IS NOT NULL AND (has_database_privilege(r.oid, current_database(), 'CREATE')
           OR EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'app' AND nspowner = r.oid)) AS may_create
  FROM (SELECT 1) AS one LEFT JOIN pg_roles r ON r.rolname = $1`;

/**
 * Decides who runs the migrations: the owner role when it exists, may create the schemas in this database and
 * the login may `SET ROLE` to it; the login itself when the default owner does not exist or was provisioned for
 * another database (a development server), with a one-line note saying so.
 * @throws OwnerRoleError when the login cannot become the owner, or an explicitly named (or, in production, the
 *   default) owner role is missing or may not create in this database.
 */
export async function resolveMigrationRole(client: MigrationClient, owner: OwnerRoleRequest): Promise<MigrationRole> {
  const { rows } = await client.query(OWNER_SQL, [owner.name]);
  const { login, database, present, may_create: mayCreate } = rows[0] as { login: string; database: string; present: boolean; may_create: boolean };
  if (!present) {
    if (owner.explicit) throw new OwnerRoleError(`role ${owner.name} does not exist: create it (\`init-db --provision\`) or name an existing owner role`);
    return { runAs: login, note: `role ${owner.name} does not exist (server not provisioned): migrating as ${login}` };
  }
  if (!mayCreate) {
    if (owner.explicit) {
      throw new OwnerRoleError(
        `role ${owner.name} may not create schemas in database ${database} (no CREATE on it, and it does not own schema app): ` +
          `provision this database for it (\`init-db --provision --databases ${database}\`) or name its owner role with --role or DATABASE_OWNER_ROLE`,
      );
    }
    return { runAs: login, note: `role ${owner.name} has no CREATE on database ${database} (not provisioned for it): migrating as ${login}` };
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
