import { escapeIdentifier as id, escapeLiteral } from 'pg';
import { SqlwrightError } from '../errors.js';
import { planProblems, type ProvisionPlan } from './plan.js';
import { configureAppDatabase, configureTemporalDatabase } from './privileges.js';
import { consoleLogger, formatStep, type ConnectAdmin, type ProvisionClient, type ProvisionLogger, type ProvisionReport, type ProvisionStep } from './report.js';
import { isScramVerifier, scramVerifier, verifyScram } from './scram.js';
import { readPasswordFile } from './secrets.js';

/** Provisioning could not finish. Messages name the step; they never hold a password or a verifier. */
export class ProvisionError extends SqlwrightError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('provision_failed', message, options);
  }
}

interface AdminInfo {
  name: string;
  superuser: boolean;
  /** Only superusers may read `pg_authid`; without it stored passwords cannot be compared. */
  canReadAuthid: boolean;
}

const ROLE_FLAGS = [
  ['rolsuper', 'SUPERUSER'],
  ['rolcreatedb', 'CREATEDB'],
  ['rolcreaterole', 'CREATEROLE'],
  ['rolreplication', 'REPLICATION'],
  ['rolbypassrls', 'BYPASSRLS'],
] as const;

function describe(error: unknown): string {
  const e = error as { message?: string; code?: string };
  return `${e.message ?? String(error)}${e.code ? ` (SQLSTATE ${e.code})` : ''}`;
}

/** Runs one step, turning a failure into a ProvisionError that says which step failed. */
async function step<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SqlwrightError) throw error;
    throw new ProvisionError(`provisioning failed while ${what}: ${describe(error)}`, { cause: error });
  }
}

/** Creates the role, or puts its attributes right: LOGIN or NOLOGIN as planned, and no special powers. */
async function ensureRole(admin: ProvisionClient, role: string, login: boolean): Promise<ProvisionStep> {
  const subject = `role ${role}`;
  const attributes = `${login ? 'LOGIN' : 'NOLOGIN'} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`;
  const { rows } = await admin.query(
    `SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = $1`,
    [role],
  );
  if (rows.length === 0) {
    await admin.query(`CREATE ROLE ${id(role)} WITH ${attributes}`);
    return { subject, status: 'created', detail: login ? 'LOGIN' : 'NOLOGIN' };
  }
  const wrong: string[] = [];
  if (rows[0].rolcanlogin !== login) wrong.push(rows[0].rolcanlogin ? 'LOGIN' : 'NOLOGIN');
  for (const [column, flag] of ROLE_FLAGS) if (rows[0][column]) wrong.push(flag);
  if (wrong.length === 0) return { subject, status: 'unchanged' };
  await admin.query(`ALTER ROLE ${id(role)} WITH ${attributes}`);
  return { subject, status: 'updated', detail: `was ${wrong.join(' ')}` };
}

async function storedPassword(admin: ProvisionClient, role: string): Promise<string | null> {
  const { rows } = await admin.query(`SELECT rolpassword FROM pg_authid WHERE rolname = $1`, [role]);
  return rows[0]?.rolpassword ?? null;
}

/**
 * Stores the password as a SCRAM-SHA-256 verifier computed here, so neither the clear password nor (for a
 * superuser, whose statement logging is switched off for the transaction) the verifier reaches the server
 * log. When `pg_authid` is readable, a stored verifier of the same password is left alone.
 */
async function ensurePassword(admin: ProvisionClient, info: AdminInfo, role: string, password: string): Promise<ProvisionStep> {
  const subject = `password of ${role}`;
  let before = 'could not compare: pg_authid is readable by superusers only';
  if (info.canReadAuthid) {
    const stored = await storedPassword(admin, role);
    if (verifyScram(stored, password)) return { subject, status: 'unchanged' };
    before = stored === null ? 'had none' : isScramVerifier(stored) ? 'was a different password' : 'was not a SCRAM-SHA-256 hash';
  }
  const verifier = scramVerifier(password);
  await admin.query('BEGIN');
  try {
    if (info.superuser) {
      await admin.query(
        `SELECT set_config('log_statement', 'none', true), set_config('log_min_duration_statement', '-1', true),
                set_config('log_min_error_statement', 'panic', true)`,
      );
    }
    await admin.query(`ALTER ROLE ${id(role)} PASSWORD ${escapeLiteral(verifier)}`);
    await admin.query('COMMIT');
  } catch (error) {
    await admin.query('ROLLBACK').catch(() => undefined);
    // No cause: a server message could quote the statement, and with it the verifier.
    const code = (error as { code?: string }).code;
    throw new ProvisionError(`could not set the password of ${role}${code ? ` (SQLSTATE ${code})` : ''}`);
  }
  if (info.canReadAuthid && !verifyScram(await storedPassword(admin, role), password)) {
    throw new ProvisionError(`the server did not store the SCRAM-SHA-256 verifier sent for ${role}`);
  }
  return { subject, status: 'updated', detail: before };
}

/** The login roles must not be members of the owner: membership would let them SET ROLE and run DDL. */
async function ensureNotOwnerMembers(admin: ProvisionClient, plan: ProvisionPlan): Promise<ProvisionStep[]> {
  const { rows } = await admin.query(
    `SELECT m.rolname AS member FROM pg_auth_members a
       JOIN pg_roles o ON o.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
      WHERE o.rolname = $1 AND m.rolname = ANY($2) ORDER BY 1`,
    [plan.owner, [plan.appUser.name, plan.backupUser.name]],
  );
  const steps: ProvisionStep[] = [];
  for (const { member } of rows) {
    await admin.query(`REVOKE ${id(plan.owner)} FROM ${id(member)}`);
    steps.push({ subject: `membership of ${member} in ${plan.owner}`, status: 'updated', detail: 'revoked' });
  }
  return steps;
}

/** Creates the database owned by `owner` (the login when undefined), or hands an existing one to `owner`. */
async function ensureDatabase(admin: ProvisionClient, database: string, owner: string | undefined): Promise<ProvisionStep> {
  const subject = `database ${database}`;
  const { rows } = await admin.query(`SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1`, [database]);
  if (rows.length === 0) {
    await admin.query(`CREATE DATABASE ${id(database)}${owner ? ` OWNER ${id(owner)}` : ''}`);
    return { subject, status: 'created', detail: `owner ${owner ?? 'the provisioning login'}` };
  }
  if (owner && rows[0].owner !== owner) {
    await admin.query(`ALTER DATABASE ${id(database)} OWNER TO ${id(owner)}`);
    return { subject, status: 'updated', detail: `owner was ${rows[0].owner}` };
  }
  return { subject, status: 'unchanged' };
}

async function withConnection<T>(connect: ConnectAdmin, database: string | undefined, work: (c: ProvisionClient) => Promise<T>): Promise<T> {
  const client = await step(`connecting to ${database ?? 'the admin database'}`, () => connect(database));
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Sets up the service's databases and roles (see docs/security.md): the owner (NOLOGIN), the application
 * and backup logins with SCRAM-SHA-256 passwords from their files, the databases, and in the application
 * database the schemas, grants and default privileges. Idempotent: a second run reports every step
 * `unchanged` and `changed: false`. Run it as a superuser (the image's `postgres`).
 * @throws ProvisionError naming the failed step, or when the plan is invalid.
 * @throws SecretFileError when a password file cannot be used; nothing has been changed then.
 */
export async function provision(connect: ConnectAdmin, plan: ProvisionPlan, logger: ProvisionLogger = consoleLogger): Promise<ProvisionReport> {
  const problems = planProblems(plan);
  if (problems.length > 0) throw new ProvisionError(`invalid provisioning plan: ${problems.join('; ')}`);
  const logins = [plan.appUser, plan.backupUser];
  const passwords = new Map<string, string>();
  for (const role of logins) {
    if (role.passwordFile) passwords.set(role.name, await readPasswordFile(`password file of ${role.name}`, role.passwordFile));
    else logger.warn(`no password file for ${role.name}: its password is left as it is (a new role has none)`);
  }

  const steps: ProvisionStep[] = [];
  const record = (...done: ProvisionStep[]) => {
    for (const s of done) {
      steps.push(s);
      logger.info(formatStep(s));
    }
  };

  await withConnection(connect, undefined, async (admin) => {
    const info = await step('inspecting the login', async (): Promise<AdminInfo> => {
      const { rows } = await admin.query(
        `SELECT current_user AS name, rolsuper AS superuser, has_table_privilege('pg_catalog.pg_authid', 'SELECT') AS can_read
           FROM pg_roles WHERE rolname = current_user`,
      );
      return { name: rows[0].name, superuser: rows[0].superuser, canReadAuthid: rows[0].can_read };
    });
    const planned = [plan.owner, ...logins.map((r) => r.name)];
    if (planned.includes(info.name)) {
      throw new ProvisionError(`refusing to provision: the login ${info.name} is one of the planned roles; use an admin login`);
    }
    if (!info.superuser) {
      logger.warn(`${info.name} is not a superuser: passwords cannot be compared and are set on every run, and ` +
        `statement logging cannot be switched off while they are set`);
    }
    if (plan.temporalOwner) {
      const { rows } = await admin.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [plan.temporalOwner]);
      if (rows.length === 0) throw new ProvisionError(`the Temporal owner role ${plan.temporalOwner} does not exist; create it first`);
    }
    record(await step(`creating role ${plan.owner}`, () => ensureRole(admin, plan.owner, false)));
    for (const role of logins) {
      record(await step(`creating role ${role.name}`, () => ensureRole(admin, role.name, true)));
      const password = passwords.get(role.name);
      if (password !== undefined) record(await ensurePassword(admin, info, role.name, password));
    }
    record(...(await step('checking role memberships', () => ensureNotOwnerMembers(admin, plan))));
    record(await step(`creating database ${plan.appDatabase}`, () => ensureDatabase(admin, plan.appDatabase, plan.owner)));
    for (const db of plan.temporalDatabases) {
      record(await step(`creating database ${db}`, () => ensureDatabase(admin, db, plan.temporalOwner)));
    }
  });

  await withConnection(connect, plan.appDatabase, async (client) => {
    record(...(await step(`configuring ${plan.appDatabase}`, () => configureAppDatabase(client, plan))));
  });
  for (const db of plan.temporalDatabases) {
    await withConnection(connect, db, async (client) => {
      record(await step(`configuring ${db}`, () => configureTemporalDatabase(client, db)));
    });
  }

  const changed = steps.some((s) => s.status !== 'unchanged');
  logger.info(changed ? 'provisioning done' : 'nothing to do: everything was already in place');
  return { steps, changed };
}
