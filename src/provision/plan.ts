/** The schema the migrations create and the application uses. Fixed: `sql/schema` names it in every file. */
export const APP_SCHEMA = 'app';
/** The migrator's ledger schema (`sqlwright.schema_migrations`); owned by the owner role like `app`. */
export const LEDGER_SCHEMA = 'sqlwright';

/** A login role and where its password comes from. */
export interface LoginRolePlan {
  name: string;
  /**
   * File holding the password (a Docker secret). Absent: the password is not managed; a new role then has
   * none and can log in only where `pg_hba.conf` trusts it.
   */
  passwordFile?: string;
}

/**
 * What `init-db --provision` sets up: plain data, so the CLI, the config module and tests build it alike.
 * Names are overridable because roles are cluster-global and tests run side by side on one server.
 */
export interface ProvisionPlan {
  /** The application database; gets schemas `app` and `sqlwright` owned by {@link owner}. */
  appDatabase: string;
  /** Temporal's databases (`temporal`, `temporal_visibility`); may be empty. */
  temporalDatabases: string[];
  /**
   * Existing role to own the Temporal databases (Temporal's own login). Absent: they stay owned by the
   * provisioning login; neither the application nor the backup role can connect to them either way.
   */
  temporalOwner?: string;
  /** NOLOGIN role owning the application database, its schemas and every table. */
  owner: string;
  /** The application's login: CRUD on `app` tables, no DDL. */
  appUser: LoginRolePlan;
  /** The backup/reporting login: SELECT only. */
  backupUser: LoginRolePlan;
}

export const DEFAULT_PLAN: Readonly<ProvisionPlan> = Object.freeze({
  appDatabase: 'appdb',
  temporalDatabases: ['temporal', 'temporal_visibility'],
  owner: 'appowner',
  appUser: { name: 'appuser' },
  backupUser: { name: 'backupuser' },
});

/** Overrides for {@link DEFAULT_PLAN}; nested role entries are merged, not replaced. */
export interface PlanOverrides {
  appDatabase?: string;
  temporalDatabases?: string[];
  temporalOwner?: string;
  owner?: string;
  appUser?: Partial<LoginRolePlan>;
  backupUser?: Partial<LoginRolePlan>;
}

/** Builds a plan from the defaults and overrides (undefined values keep the default). */
export function makePlan(overrides: PlanOverrides = {}): ProvisionPlan {
  const defined = <T extends object>(o: T | undefined): Partial<T> =>
    Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
  const plan: ProvisionPlan = {
    appDatabase: overrides.appDatabase ?? DEFAULT_PLAN.appDatabase,
    temporalDatabases: overrides.temporalDatabases ?? [...DEFAULT_PLAN.temporalDatabases],
    owner: overrides.owner ?? DEFAULT_PLAN.owner,
    appUser: { ...DEFAULT_PLAN.appUser, ...defined(overrides.appUser) },
    backupUser: { ...DEFAULT_PLAN.backupUser, ...defined(overrides.backupUser) },
  };
  if (overrides.temporalOwner !== undefined) plan.temporalOwner = overrides.temporalOwner;
  return plan;
}

/** Lower-case SQL identifiers only: no quoting surprises, and the names read the same in psql and pg_hba. */
const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Plan problems, one line each; empty when the plan is usable. */
export function planProblems(plan: ProvisionPlan): string[] {
  const problems: string[] = [];
  const check = (what: string, name: string | undefined) => {
    if (name !== undefined && !NAME.test(name)) {
      problems.push(`${what} ${JSON.stringify(name)} is not a lower-case identifier (a-z, 0-9, _; at most 63 characters)`);
    }
  };
  check('database', plan.appDatabase);
  plan.temporalDatabases.forEach((d) => check('database', d));
  check('owner role', plan.owner);
  check('application role', plan.appUser.name);
  check('backup role', plan.backupUser.name);
  check('Temporal owner role', plan.temporalOwner);
  const roles = [plan.owner, plan.appUser.name, plan.backupUser.name];
  if (new Set(roles).size !== roles.length) problems.push(`the owner, application and backup roles must differ: ${roles.join(', ')}`);
  const dbs = [plan.appDatabase, ...plan.temporalDatabases];
  if (new Set(dbs).size !== dbs.length) problems.push(`database names must differ: ${dbs.join(', ')}`);
  if (plan.temporalOwner !== undefined && roles.includes(plan.temporalOwner)) {
    problems.push(`the Temporal owner must not be one of the application's roles (${plan.temporalOwner})`);
  }
  return problems;
}
