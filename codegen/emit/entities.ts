import { VariableDeclarationKind, type SourceFile } from 'ts-morph';
import type { EntityModel, EnumModel, FieldModel } from './model.js';
import { str } from './names.js';
import { renderSource, usesColumnSchemas } from './source.js';

/** `{ a: x, b: y }` with one field per line. */
export function objectBody(entries: [string, string][]): string {
  return entries.length === 0 ? '{}' : `{\n${entries.map(([k, v]) => `  ${k}: ${v},`).join('\n')}\n}`;
}

export function readExpr(f: { type: { read: string }; nullable: boolean }): string {
  return f.nullable ? `${f.type.read}.nullable()` : f.type.read;
}

function insertExpr(f: FieldModel): string {
  if (f.insert === 'required') return f.type.input;
  return f.nullable ? `${f.type.input}.nullish()` : `${f.type.input}.optional()`;
}

function patchExpr(f: FieldModel): string {
  return f.nullable ? `${f.type.input}.nullish()` : `${f.type.input}.optional()`;
}

/**
 * Adds the imports of `z`, `t` (column schemas), `types` from the runtime module and the enums that `code` mentions.
 * zod comes from the runtime too: the zod the runtime validates with, not whichever one the service installed.
 */
export function addSchemaImports(file: SourceFile, code: string, enums: readonly EnumModel[], enumsPath: string, runtime: string, types: readonly string[] = []): void {
  const named = [...(usesColumnSchemas(code) ? ['t'] : []), 'z'].map((name) => ({ name }));
  file.addImportDeclaration({ moduleSpecifier: runtime, namedImports: [...named, ...types.map((name) => ({ name, isTypeOnly: true }))] });
  const used = usedEnumSchemas(code, enums);
  if (used.length > 0) file.addImportDeclaration({ moduleSpecifier: enumsPath, namedImports: used });
}

/** The enum schemas `code` mentions, sorted: what its file imports from enums.ts. */
export function usedEnumSchemas(code: string, enums: readonly EnumModel[]): string[] {
  return enums.filter((e) => new RegExp(`\\b${e.schemaName}\\b`).test(code)).map((e) => e.schemaName).sort();
}

function addSchema(file: SourceFile, name: string, initializer: string, doc: string, typeName: string, infer: 'infer' | 'input'): void {
  file.addVariableStatement({ isExported: true, declarationKind: VariableDeclarationKind.Const, docs: [doc], declarations: [{ name, initializer }] });
  file.addTypeAlias({ isExported: true, name: typeName, type: `z.${infer}<typeof ${name}>` });
}

/** Schema names of an entity: `userSchema`, `newUserSchema`, `userPatchSchema`, `userUpsertSchema`. */
export function schemaNames(m: EntityModel) {
  const lower = m.entity[0].toLowerCase() + m.entity.slice(1);
  return {
    entity: `${lower}Schema`,
    insert: `new${m.entity}Schema`,
    patch: `${lower}PatchSchema`,
    upsert: `${lower}UpsertSchema`,
    types: { entity: m.entity, insert: `New${m.entity}`, patch: `${m.entity}Patch`, upsert: `${m.entity}Upsert` },
  };
}

/** generated/entities/<entity>.ts: the zod schemas and types of one table; `runtime` as runtimeSpecifier gives it. */
export function emitEntity(m: EntityModel, enums: readonly EnumModel[], sources: readonly string[], runtime: string): string {
  const n = schemaNames(m);
  const t = m.table;
  const entity = `z.object(${objectBody(m.fields.map((f) => [f.field, readExpr(f)]))})`;
  const insert = `z.strictObject(${objectBody(m.fields.filter((f) => f.insert !== 'omit').map((f) => [f.field, insertExpr(f)]))})`;
  const patch = `z.strictObject(${objectBody(m.fields.filter((f) => f.patch).map((f) => [f.field, patchExpr(f)]))})`;
  // A key the database always assigns (GENERATED ALWAYS) can never be given: upsert then takes NewX as is.
  const keyInInsert = m.key.insert !== 'omit' || m.key.column.identity === 'a' || m.key.column.generated;
  const upsert = keyInInsert ? n.insert : `${n.insert}.extend({ ${m.key.field}: ${m.key.type.input}.optional() })`;
  return renderSource(sources, (file) => {
    addSchemaImports(file, entity + insert + patch + upsert, enums, './enums.js', runtime);
    addSchema(file, n.entity, entity, `A row of ${t.schema}.${t.name}, as every read returns it.`, n.types.entity, 'infer');
    addSchema(
      file,
      n.insert,
      insert,
      `Input of ${m.entity}Repository.create: NOT NULL columns without a default are required, defaulted and nullable ones optional; ` +
        `the key${m.fields.some((f) => f.insert === 'omit' && f !== m.key) ? ', timestamps and generated columns are' : ' is'} set by the database.`,
      n.types.insert,
      'input',
    );
    addSchema(file, n.patch, patch, `Input of ${m.entity}Repository.update: any subset of the writable columns; the key ${str(m.key.column.name)} is immutable.`, n.types.patch, 'input');
    addSchema(
      file,
      n.upsert,
      upsert,
      keyInInsert ? `Input of ${m.entity}Repository.upsert: the same as ${n.types.insert}.` : `Input of ${m.entity}Repository.upsert: ${n.types.insert}, plus the key to upsert on it.`,
      n.types.upsert,
      'input',
    );
  });
}

/** generated/entities/enums.ts: every enum as values, zod schema and string-literal union, in declaration order. */
export function emitEnums(enums: readonly EnumModel[], sources: readonly string[], runtime: string): string {
  return renderSource(sources, (file) => {
    file.addImportDeclaration({ moduleSpecifier: runtime, namedImports: ['z'] });
    for (const e of enums) {
      file.addVariableStatement({
        isExported: true,
        declarationKind: VariableDeclarationKind.Const,
        docs: [`The values of ${e.enum.schema}.${e.enum.name}, in declaration order.`],
        declarations: [{ name: e.valuesName, initializer: `[${e.enum.values.map(str).join(', ')}] as const` }],
      });
      file.addVariableStatement({ isExported: true, declarationKind: VariableDeclarationKind.Const, declarations: [{ name: e.schemaName, initializer: `z.enum(${e.valuesName})` }] });
      file.addTypeAlias({ isExported: true, name: e.typeName, type: `z.infer<typeof ${e.schemaName}>` });
    }
  });
}
