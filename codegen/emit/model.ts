import type { ValueKind } from '../../src/executor.js';
import type { Catalog, Column, Enum, PgType, Table } from '../catalog/types.js';
import type { Problem } from '../errors.js';
import { baseMapping } from '../typed/pg-types.js';
import { camelCase, kebabCase, pascalCase, singular } from './names.js';

/**
 * What the emitters print, decided once: names, zod expressions and the insert/patch rules of every column.
 * Built from the catalog; a column whose type is not in the type map is a problem naming schema.table.column.
 */

export interface EnumModel {
  enum: Enum;
  /** `TaskStatus` (the type), `taskStatusSchema`, `taskStatusValues`. */
  typeName: string;
  schemaName: string;
  valuesName: string;
}

/** How a value of a catalog type is written in generated code. */
export interface TypeModel {
  kind: ValueKind;
  array: boolean;
  read: string;
  input: string;
  comparable: boolean;
  /** The enum it uses, if any. */
  enum?: EnumModel;
}

export interface FieldModel {
  column: Column;
  field: string;
  type: TypeModel;
  nullable: boolean;
  /** In `NewX`: omitted (key with a default, timestamps, generated), required, or optional (defaulted or nullable). */
  insert: 'omit' | 'required' | 'optional';
  /** In `XPatch`: false for the key, timestamps and generated columns. */
  patch: boolean;
  /** May be compared with `=` in `list({ where })`. */
  filterable: boolean;
  /** May be a `list({ orderBy })` field (comparable and NOT NULL). */
  sortable: boolean;
}

export interface EntityModel {
  table: Table;
  /** `User`, from the singular of the table name. */
  entity: string;
  /** `user` -> generated/entities/user.ts; `user-identity` for user_identities. */
  fileBase: string;
  /** `users`, `userIdentities`: the property on `Repositories`. */
  property: string;
  fields: FieldModel[];
  key: FieldModel;
  /** The created_at timestamp: upsert never overwrites it. */
  createdAt?: FieldModel;
  updatedAt?: FieldModel;
  /** Unique keys by name (camelCase fields joined with `And`), the primary key first. */
  uniqueKeys: { name: string; fields: string[] }[];
}

const TIMESTAMP_COLUMNS = new Set(['created_at', 'updated_at']);

export function typeModel(type: PgType, enums: ReadonlyMap<string, EnumModel>): TypeModel | string {
  const wrap = (expr: string) => (type.array ? `z.array(${expr})` : expr);
  if (type.kind === 'enum') {
    const e = enums.get(`${type.schema}.${type.name}`);
    if (!e) return `enum ${type.schema}.${type.name} is outside the introspected schemas`;
    return { kind: 'enum', array: type.array, read: wrap(e.schemaName), input: wrap(e.schemaName), comparable: true, enum: e };
  }
  const mapping = type.kind === 'base' ? baseMapping(type.name) : undefined;
  if (!mapping) {
    const name = type.kind === 'base' ? type.name : `${type.schema}.${type.name}`;
    return `unsupported type ${name}${type.array ? '[]' : ''}; supported: see docs/codegen.md "Type map"`;
  }
  return { kind: mapping.kind, array: type.array, read: wrap(mapping.read), input: wrap(mapping.input ?? mapping.read), comparable: mapping.comparable };
}

export function enumModels(catalog: Catalog): Map<string, EnumModel> {
  const counts = new Map<string, number>();
  for (const e of catalog.enums) counts.set(e.name, (counts.get(e.name) ?? 0) + 1);
  return new Map(
    catalog.enums.map((e) => {
      // Two schemas with an enum of the same name: qualify both with their schema.
      const base = (counts.get(e.name) ?? 0) > 1 ? `${e.schema}_${e.name}` : e.name;
      const model = { enum: e, typeName: pascalCase(base), schemaName: `${camelCase(base)}Schema`, valuesName: `${camelCase(base)}Values` };
      return [`${e.schema}.${e.name}`, model];
    }),
  );
}

function fieldModel(table: Table, column: Column, type: TypeModel): FieldModel {
  const isKey = table.primaryKey.includes(column.name);
  const hasDefault = column.defaultExpr !== undefined || column.identity !== undefined;
  const isTimestamp = TIMESTAMP_COLUMNS.has(column.name) && type.kind === 'timestamp' && hasDefault;
  const neverWritten = column.generated || column.identity === 'a';
  let insert: FieldModel['insert'];
  if (neverWritten || (isKey && hasDefault) || isTimestamp) insert = 'omit';
  else if (column.notNull && !hasDefault) insert = 'required';
  else insert = 'optional';
  const comparable = type.comparable && !type.array;
  return {
    column,
    field: camelCase(column.name),
    type,
    nullable: !column.notNull,
    insert,
    patch: !(isKey || isTimestamp || neverWritten),
    filterable: comparable,
    sortable: comparable && column.notNull,
  };
}

/** One EntityModel per table (sorted by schema and name), or problems. */
export function entityModels(catalog: Catalog, enums: ReadonlyMap<string, EnumModel>, problems: Problem[]): EntityModel[] {
  const models: EntityModel[] = [];
  const entities = new Map<string, Table>();
  for (const table of catalog.tables) {
    const where = `${table.schema}.${table.name}`;
    const entity = pascalCase(singular(table.name));
    const other = entities.get(entity);
    if (other) {
      problems.push({ where, message: `entity name ${entity} is also the name of ${other.schema}.${other.name}; rename one table or limit "schemas" in the config` });
      continue;
    }
    entities.set(entity, table);
    const fields: FieldModel[] = [];
    const seen = new Map<string, string>();
    for (const column of table.columns) {
      const type = typeModel(column.type, enums);
      if (typeof type === 'string') {
        problems.push({ where: `${where}.${column.name}`, message: type });
        continue;
      }
      const field = fieldModel(table, column, type);
      if (seen.has(field.field)) problems.push({ where: `${where}.${column.name}`, message: `field name ${field.field} is also the name of column ${seen.get(field.field)}` });
      seen.set(field.field, column.name);
      fields.push(field);
    }
    if (table.primaryKey.length !== 1) {
      problems.push({ where, message: `sqlwright needs a single-column primary key (found ${table.primaryKey.length ? table.primaryKey.join(', ') : 'none'})` });
      continue;
    }
    const key = fields.find((f) => f.column.name === table.primaryKey[0]);
    if (!key) continue; // its type was already reported
    const fieldOf = (name: string) => fields.find((f) => f.column.name === name)!.field;
    const uniqueKeys = [{ name: key.field, fields: [key.field] }];
    for (const u of table.uniques) {
      if (!u.columns.every((c) => fields.some((f) => f.column.name === c))) continue;
      const names = u.columns.map(fieldOf);
      const name = names.map((n, i) => (i === 0 ? n : n[0].toUpperCase() + n.slice(1))).join('And');
      if (!uniqueKeys.some((k) => k.name === name)) uniqueKeys.push({ name, fields: names });
    }
    const timestamp = (name: string) => fields.find((f) => f.column.name === name && f.type.kind === 'timestamp');
    const createdAt = timestamp('created_at');
    const updatedAt = timestamp('updated_at');
    models.push({
      table,
      entity,
      fileBase: kebabCase(singular(table.name)),
      property: camelCase(table.name),
      fields,
      key,
      createdAt,
      updatedAt,
      uniqueKeys,
    });
  }
  return models;
}
