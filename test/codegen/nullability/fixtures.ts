/**
 * Fixture rows that make NULLs likely: per table, row 0 leaves every nullable column NULL (nullable foreign
 * keys included, so it has no parent) and NOT NULL columns with a default to the default; rows 1 and 2 fill
 * every column with values that differ by row (enum labels and booleans too, so filters on them match some
 * row). Children reference their parent's row 1 only, so the parent's rows 0 and 2 have no children (LEFT
 * JOINs find no partner).
 */
import { randomUUID } from 'node:crypto';
import type { Catalog, Column, PgType, Table } from '../../../codegen/catalog/types.js';

export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}

/**
 * A value (as text, PostgreSQL casts it) of this type for row `row`; undefined when there is none. Arrays
 * are empty in row 0 and hold the element's value otherwise.
 */
export function sampleValue(type: PgType, row: number, catalog: Catalog): string | undefined {
  if (type.array) {
    const element = row === 0 ? undefined : sampleValue({ ...type, array: false }, row, catalog);
    return element === undefined ? '{}' : `{"${element.replace(/["\\]/g, '\\$&')}"}`;
  }
  if (type.kind === 'enum') {
    const labels = catalog.enums.find((e) => e.schema === type.schema && e.name === type.name)?.values ?? [];
    return labels[row % labels.length];
  }
  if (type.kind !== 'base') return undefined;
  const samples: Record<string, string> = {
    text: `v${row}`, varchar: `v${row}`, bpchar: `v${row}`, citext: `v${row}`, uuid: randomUUID(),
    int2: `${row + 1}`, int4: `${row + 1}`, int8: `${row + 1}`, numeric: `${row + 1}.5`, float4: `${row + 1}.5`, float8: `${row + 1}.5`,
    bool: row % 2 === 1 ? 'true' : 'false', date: `2024-01-0${row + 1}`, timestamp: '2024-01-01T00:00:00', timestamptz: '2024-01-01T00:00:00Z',
    json: `{"row": ${row}}`, jsonb: `{"row": ${row}}`, bytea: '\\x00',
  };
  return samples[type.name];
}

function parentOf(table: Table, column: Column, catalog: Catalog): { table: Table; column: string } | undefined {
  const fk = table.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === column.name);
  if (!fk) return undefined;
  const parent = catalog.tables.find((t) => t.schema === fk.references.schema && t.name === fk.references.table);
  return parent ? { table: parent, column: fk.references.columns[0] } : undefined;
}

/** Tables with their parents first (self-references and cycles are left to nullable columns). */
function ordered(catalog: Catalog): Table[] {
  const done: Table[] = [];
  const visit = (t: Table, path: Set<Table>) => {
    if (done.includes(t) || path.has(t)) return;
    path.add(t);
    for (const c of t.columns) {
      const p = parentOf(t, c, catalog);
      if (p && p.table !== t) visit(p.table, path);
    }
    done.push(t);
  };
  for (const t of catalog.tables) visit(t, new Set());
  return done;
}

/** Keys the database numbers itself: an explicit value would collide with the next one it hands out. */
const numbered = (c: Column) => c.generated || c.identity !== undefined || c.defaultExpr?.startsWith('nextval(') === true;

/** Inserts the three rows into every table of `catalog`; returns the rows as stored, by `schema.table`. */
export async function insertFixtures(client: Queryable, catalog: Catalog): Promise<Map<string, any[]>> {
  const stored = new Map<string, any[]>();
  for (const table of ordered(catalog)) {
    const rows: any[] = [];
    for (const row of [0, 1, 2]) {
      const cols: string[] = [];
      const values: unknown[] = [];
      for (const c of table.columns) {
        if (numbered(c)) continue;
        const parent = parentOf(table, c, catalog);
        let value: unknown;
        if (!c.notNull && row === 0) value = null;
        else if (parent) value = parent.table === table ? null : stored.get(`${parent.table.schema}.${parent.table.name}`)?.[1]?.[parent.column];
        else if (c.defaultExpr !== undefined && row === 0) continue;
        else value = sampleValue(c.type, row, catalog);
        if (value === undefined) continue;
        if (value === null && c.notNull) throw new Error(`fixture: no value for NOT NULL ${table.sqlName}.${c.name}`);
        cols.push(c.sqlName);
        values.push(value);
      }
      const sql = cols.length === 0
        ? `INSERT INTO ${table.sqlName} DEFAULT VALUES RETURNING *`
        : `INSERT INTO ${table.sqlName} (${cols.join(', ')}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`;
      rows.push((await client.query(sql, values)).rows[0]);
    }
    stored.set(`${table.schema}.${table.name}`, rows);
  }
  return stored;
}
