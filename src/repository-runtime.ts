/**
 * The helpers generated repositories call (generated/repositories/*.ts): input validation, row decoding and
 * the CRUD statements, built once per table from its catalog descriptor. Identifiers come only from the
 * descriptor; every value is a `$n` parameter encoded with the executor's codec.
 *
 * This is the one module generated code imports (`sqlwright/runtime` in a service, the path `runtimeModule` names
 * in sqlwright.config.json otherwise), so it also hands out what else that code needs: the column schemas as `t`,
 * zod's `z` (the instance these helpers validate with, whatever zod the service has) and the Executor type. The
 * helpers themselves live in src/repository/ and src/keyset.ts; this file only names what generated code may use.
 */
export { z } from 'zod';
export * as t from './column-schemas.js';
export type { Executor } from './executor.js';
export type { ColumnDescriptor, TableDescriptor } from './repository/descriptors.js';
export { DEFAULT_LIMIT, MAX_LIMIT, listOptionsSchema, type ListOptions, type Page, type SortDirection } from './keyset.js';
export { validate } from './repository/validate.js';
export { decodeRow } from './repository/row-decoder.js';
export { runNamedCommand, runNamedQuery, type NamedQuery } from './repository/named-query.js';
export { Table } from './repository/table.js';
