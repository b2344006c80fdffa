import { escapeIdentifier as id } from 'pg';
import { APP_SCHEMA, LEDGER_SCHEMA, type ProvisionPlan } from './plan.js';
import type { ProvisionClient, ProvisionStep } from './report.js';

const SCHEMAS = [APP_SCHEMA, LEDGER_SCHEMA];

/**
 * Owners and privileges of everything provisioning manages in the connected database, one line each.
 * ACL items are sorted so that re-granting the same privileges in another order compares equal.
 */
const SNAPSHOT_SQL = `
  WITH acl(kind, name, owner, acl) AS (
    SELECT 'database', datname::text, datdba, datacl FROM pg_database WHERE datname = current_database()
    UNION ALL
    SELECT 'schema', nspname::text, nspowner, nspacl FROM pg_namespace WHERE nspname = ANY($1) OR nspname = 'public'
    UNION ALL
    SELECT 'relation', format('%I.%I', n.nspname, c.relname), c.relowner, c.relacl
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
    UNION ALL
    SELECT 'routine', format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), p.proowner, p.proacl
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1)
    UNION ALL
    SELECT 'type', format('%I.%I', n.nspname, t.typname), t.typowner, t.typacl
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = ANY($1) AND t.typtype IN ('e', 'd', 'r')
    UNION ALL
    SELECT 'default privileges', format('for %s in %s on %s', pg_get_userbyid(d.defaclrole), coalesce(n.nspname, '*'),
             CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions'
                                  WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' ELSE d.defaclobjtype::text END),
           NULL, d.defaclacl
      FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
  )
  SELECT kind || ' ' || name AS subject,
         coalesce(pg_get_userbyid(owner), '') || ' ' || coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(acl) a), '(default)') AS state
    FROM acl ORDER BY 1`;

async function snapshot(client: ProvisionClient): Promise<Map<string, string>> {
  const { rows } = await client.query(SNAPSHOT_SQL, [SCHEMAS]);
  return new Map(rows.map((r) => [r.subject as string, r.state as string]));
}

function differences(before: Map<string, string>, after: Map<string, string>): string[] {
  const subjects = new Set([...before.keys(), ...after.keys()]);
  return [...subjects].filter((s) => before.get(s) !== after.get(s)).sort();
}

function summarize(subjects: string[]): string {
  const shown = subjects.slice(0, 6).join(', ');
  return subjects.length > 6 ? `${shown} and ${subjects.length - 6} more` : shown;
}

/**
 * `ALTER … OWNER TO <owner>` for every object in the managed schemas owned by someone else, e.g. tables a
 * superuser migrated before provisioning. Sequences owned by a column follow their table.
 */
const OWNERSHIP_SQL = `
  SELECT format('ALTER %s %s OWNER TO %I', kind, obj, $2::text) AS statement FROM (
    SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                          WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END AS kind,
           format('%I.%I', n.nspname, c.relname) AS obj, c.relowner AS owner
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
       AND NOT (c.relkind = 'S' AND EXISTS (
             SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
    UNION ALL
    SELECT 'ROUTINE', format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), p.proowner
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1)
    UNION ALL
    SELECT 'TYPE', format('%I.%I', n.nspname, t.typname), t.typowner
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = ANY($1) AND t.typtype IN ('e', 'd', 'r')
  ) o WHERE o.owner <> (SELECT oid FROM pg_roles WHERE rolname = $2) ORDER BY 1`;

/** The grants of the role model, stated whole: each role's privileges are revoked and granted afresh. */
function appDatabaseStatements(plan: ProvisionPlan): string[] {
  const owner = id(plan.owner);
  const user = id(plan.appUser.name);
  const backup = id(plan.backupUser.name);
  const app = id(APP_SCHEMA);
  const both = SCHEMAS.map(id).join(', ');
  const ledger = id(LEDGER_SCHEMA);
  const defaults = `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA`;
  return [
    `REVOKE ALL ON DATABASE ${id(plan.appDatabase)} FROM PUBLIC`,
    `GRANT CONNECT ON DATABASE ${id(plan.appDatabase)} TO ${user}, ${backup}`,
    `REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
    `REVOKE ALL ON SCHEMA ${both} FROM PUBLIC, ${user}, ${backup}`,
    `GRANT USAGE ON SCHEMA ${both} TO ${user}, ${backup}`,
    `REVOKE ALL ON ALL TABLES IN SCHEMA ${both} FROM PUBLIC, ${user}, ${backup}`,
    `REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${both} FROM PUBLIC, ${user}, ${backup}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${app} TO ${user}`,
    `GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${app} TO ${user}`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA ${ledger} TO ${user}`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA ${both} TO ${backup}`,
    `GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${both} TO ${backup}`,
    // Tables and sequences later migrations create (as the owner) get the same grants without a new GRANT.
    `${defaults} ${both} REVOKE ALL ON TABLES FROM PUBLIC, ${user}, ${backup}`,
    `${defaults} ${both} REVOKE ALL ON SEQUENCES FROM PUBLIC, ${user}, ${backup}`,
    `${defaults} ${app} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${user}`,
    `${defaults} ${app} GRANT USAGE ON SEQUENCES TO ${user}`,
    `${defaults} ${ledger} GRANT SELECT ON TABLES TO ${user}`,
    `${defaults} ${both} GRANT SELECT ON TABLES TO ${backup}`,
    `${defaults} ${both} GRANT SELECT ON SEQUENCES TO ${backup}`,
  ];
}

async function inTransaction(client: ProvisionClient, statements: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await statements();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/**
 * Connected to the application database: schemas `app` and `sqlwright` owned by the owner (and everything
 * in them), the role model's grants and default privileges, no CREATE on `public`. One transaction.
 */
export async function configureAppDatabase(client: ProvisionClient, plan: ProvisionPlan): Promise<ProvisionStep[]> {
  const before = await snapshot(client);
  let reassigned = 0;
  await inTransaction(client, async () => {
    for (const schema of SCHEMAS) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${id(schema)} AUTHORIZATION ${id(plan.owner)}`);
      await client.query(`ALTER SCHEMA ${id(schema)} OWNER TO ${id(plan.owner)}`);
    }
    const { rows } = await client.query(OWNERSHIP_SQL, [SCHEMAS, plan.owner]);
    for (const { statement } of rows) await client.query(statement);
    reassigned = rows.length;
    for (const statement of appDatabaseStatements(plan)) await client.query(statement);
  });
  const changed = differences(before, await snapshot(client));
  const steps: ProvisionStep[] = [];
  if (reassigned > 0) {
    steps.push({ subject: `ownership in ${plan.appDatabase}`, status: 'updated', detail: `${reassigned} objects handed to ${plan.owner}` });
  }
  steps.push(
    changed.length === 0
      ? { subject: `privileges in ${plan.appDatabase}`, status: 'unchanged' }
      : { subject: `privileges in ${plan.appDatabase}`, status: 'updated', detail: summarize(changed) },
  );
  return steps;
}

/** Connected to a Temporal database: only its owner (and superusers) may connect; no CREATE on `public` for all. */
export async function configureTemporalDatabase(client: ProvisionClient, database: string): Promise<ProvisionStep> {
  const before = await snapshot(client);
  await inTransaction(client, async () => {
    await client.query(`REVOKE ALL ON DATABASE ${id(database)} FROM PUBLIC`);
    await client.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
  });
  const changed = differences(before, await snapshot(client));
  return changed.length === 0
    ? { subject: `privileges in ${database}`, status: 'unchanged' }
    : { subject: `privileges in ${database}`, status: 'updated', detail: summarize(changed) };
}
