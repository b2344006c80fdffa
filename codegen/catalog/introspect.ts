import type { Catalog, CheckConstraint, Column, Enum, ForeignKey, ForeignKeyAction, Index, PgType, Table, Trigger, UniqueConstraint } from './types.js';

/** Any connected client with pg's `query`; codegen passes a `pg.Client`. */
export interface CatalogClient {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

/** Schemas never introspected: PostgreSQL's own and the migrator's ledger. */
const SYSTEM_SCHEMAS = ['information_schema', 'sqlwright'];

const SCHEMAS_SQL = `
SELECT n.nspname AS name
FROM pg_namespace n
WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> ALL($1::text[])
ORDER BY n.nspname`;

const TABLES_SQL = `
SELECT c.oid, n.nspname AS schema, c.relname AS name,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS sql_name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1::text[])
ORDER BY n.nspname, c.relname`;

const COLUMNS_SQL = `
SELECT a.attrelid AS table_oid, a.attname AS name, quote_ident(a.attname) AS sql_name, a.attnum AS position,
       a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_expr,
       a.attidentity AS identity, a.attgenerated AS generated, a.atttypmod AS typmod,
       t.typtype, t.typname, tn.nspname AS type_schema,
       et.typtype AS elem_typtype, et.typname AS elem_typname, etn.nspname AS elem_schema
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_type et ON t.typcategory = 'A' AND et.oid = t.typelem
LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`;

/** Primary keys, unique constraints and foreign keys, with column names in key order. */
const CONSTRAINTS_SQL = `
SELECT con.conrelid AS table_oid, con.conname AS name, con.contype AS type,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, i)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.i)::text[] AS columns,
       fn.nspname AS ref_schema, fc.relname AS ref_table,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, i)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.i)::text[] AS ref_columns,
       con.confdeltype AS on_delete, con.confupdtype AS on_update,
       CASE WHEN con.contype = 'c' THEN pg_get_constraintdef(con.oid) END AS definition
FROM pg_constraint con
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.conrelid = ANY($1::oid[]) AND con.contype IN ('p', 'u', 'f', 'c')
ORDER BY con.conrelid, con.conname`;

/** Indexes that back no constraint, with each key as pg_get_indexdef prints it. */
const INDEXES_SQL = `
SELECT i.indrelid AS table_oid, c.relname AS name, i.indisunique AS unique, am.amname AS method,
       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k ORDER BY k)::text[] AS keys,
       ARRAY(SELECT i.indkey[k - 1] <> 0 FROM generate_series(1, i.indnkeyatts) k ORDER BY k)::bool[] AS is_column,
       ARRAY(SELECT (i.indoption[k - 1] & 1) = 1 FROM generate_series(1, i.indnkeyatts) k ORDER BY k)::bool[] AS descending,
       pg_get_expr(i.indpred, i.indrelid) AS predicate
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am am ON am.oid = c.relam
WHERE i.indrelid = ANY($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid)
ORDER BY i.indrelid, c.relname`;

const TRIGGERS_SQL = `
SELECT t.tgrelid AS table_oid, t.tgname AS name, t.tgtype AS type, t.tgqual IS NOT NULL OR t.tgattr <> '' AS conditional,
       pn.nspname || '.' || p.proname AS function, l.lanname AS language, p.prosrc AS source
FROM pg_trigger t
JOIN pg_proc p ON p.oid = t.tgfoid
JOIN pg_namespace pn ON pn.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE t.tgrelid = ANY($1::oid[]) AND NOT t.tgisinternal
ORDER BY t.tgrelid, t.tgname`;

const ENUMS_SQL = `
SELECT n.nspname AS schema, t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_enum e ON e.enumtypid = t.oid
WHERE n.nspname = ANY($1::text[])
GROUP BY n.nspname, t.typname
ORDER BY n.nspname, t.typname`;

function typeOf(row: any): PgType {
  const array = row.elem_typname !== null;
  const typtype: string = array ? row.elem_typtype : row.typtype;
  const name: string = array ? row.elem_typname : row.typname;
  const schema: string = array ? row.elem_schema : row.type_schema;
  if (typtype === 'e') return { kind: 'enum', schema, name, array };
  if (typtype === 'b' && (schema === 'pg_catalog' || schema === 'public')) return { kind: 'base', name, array };
  return { kind: 'other', schema, name, array, typtype };
}

function columnOf(row: any): Column {
  const column: Column = {
    name: row.name,
    sqlName: row.sql_name,
    position: Number(row.position),
    type: typeOf(row),
    notNull: row.not_null,
    generated: row.generated === 's',
  };
  if (row.default_expr !== null) column.defaultExpr = row.default_expr;
  if (row.identity === 'a' || row.identity === 'd') column.identity = row.identity;
  const typmod = Number(row.typmod);
  const name = row.elem_typname ?? row.typname;
  if (typmod >= 4 && (name === 'varchar' || name === 'bpchar')) column.length = typmod - 4;
  // numeric's typmod - 4: precision in the high 16 bits, scale in the low 11 as a signed value (PostgreSQL 15 allows -1000..1000).
  if (typmod >= 4 && name === 'numeric') column.numeric = { precision: ((typmod - 4) >> 16) & 0xffff, scale: (((typmod - 4) & 0x7ff) ^ 0x400) - 0x400 };
  return column;
}

const ACTIONS: Record<string, ForeignKeyAction | undefined> = { c: 'CASCADE', r: 'RESTRICT', n: 'SET NULL', d: 'SET DEFAULT' };

function triggerOf(row: any): Trigger {
  const type = Number(row.type);
  const events = ([[4, 'INSERT'], [8, 'DELETE'], [16, 'UPDATE'], [32, 'TRUNCATE']] as const).filter(([bit]) => (type & bit) !== 0).map(([, e]) => e);
  return {
    name: row.name,
    timing: (type & 64) !== 0 ? 'INSTEAD OF' : (type & 2) !== 0 ? 'BEFORE' : 'AFTER',
    events,
    forEachRow: (type & 1) !== 0,
    conditional: row.conditional,
    function: row.function,
    language: row.language,
    source: row.source,
  };
}

function indexOf(row: any): Index {
  const index: Index = {
    name: row.name,
    unique: row.unique,
    method: row.method,
    keys: (row.keys as string[]).map((expression, i) => ({ expression, column: row.is_column[i], descending: row.descending[i] })),
  };
  if (row.predicate !== null) index.where = row.predicate;
  return index;
}

/**
 * Reads the user schemas of the connected database (or only `schemas`, when given): tables with their
 * columns, keys and foreign keys, and enums. Everything is sorted by name (columns by position), so two
 * runs on the same schema give the same catalog.
 */
export async function introspect(client: CatalogClient, schemas?: readonly string[]): Promise<Catalog> {
  const found: string[] = (await client.query(SCHEMAS_SQL, [SYSTEM_SCHEMAS])).rows.map((r) => r.name);
  const selected = schemas ? found.filter((s) => schemas.includes(s)) : found;
  const tableRows = (await client.query(TABLES_SQL, [selected])).rows;
  const oids = tableRows.map((t) => t.oid);
  // One at a time: a pg.Client runs one query at a time anyway.
  const columns = await client.query(COLUMNS_SQL, [oids]);
  const constraints = await client.query(CONSTRAINTS_SQL, [oids]);
  const enums = await client.query(ENUMS_SQL, [selected]);
  const indexes = await client.query(INDEXES_SQL, [oids]);
  const triggers = await client.query(TRIGGERS_SQL, [oids]);

  const tables: Table[] = tableRows.map((t) => {
    const own = (rows: any[]) => rows.filter((r) => r.table_oid === t.oid);
    const cons = own(constraints.rows);
    const uniques: UniqueConstraint[] = cons.filter((c) => c.type === 'u').map((c) => ({ name: c.name, columns: c.columns }));
    const foreignKeys: ForeignKey[] = cons
      .filter((c) => c.type === 'f')
      .map((c) => {
        const fk: ForeignKey = { name: c.name, columns: c.columns, references: { schema: c.ref_schema, table: c.ref_table, columns: c.ref_columns } };
        if (ACTIONS[c.on_delete]) fk.onDelete = ACTIONS[c.on_delete];
        if (ACTIONS[c.on_update]) fk.onUpdate = ACTIONS[c.on_update];
        return fk;
      });
    const checks: CheckConstraint[] = cons
      .filter((c) => c.type === 'c')
      .map((c) => ({ name: c.name, expression: String(c.definition).replace(/^CHECK\s*/, '').replace(/\s+NOT VALID$/, '') }));
    return {
      schema: t.schema,
      name: t.name,
      sqlName: t.sql_name,
      columns: own(columns.rows).map(columnOf),
      primaryKey: cons.find((c) => c.type === 'p')?.columns ?? [],
      uniques,
      foreignKeys,
      checks,
      indexes: own(indexes.rows).map(indexOf),
      triggers: own(triggers.rows).map(triggerOf),
    };
  });
  const enumList: Enum[] = enums.rows.map((e) => ({ schema: e.schema, name: e.name, values: e.values }));
  return { schemas: selected, tables, enums: enumList };
}
